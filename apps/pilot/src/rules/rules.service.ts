import {
  parseRuleDocuments,
  ruleKey,
  RuleValidationError,
  validateRuleObjects,
  type RuleDocument,
  type RuleIssue,
  type RuleResult,
  type RulesWriteResponse,
} from '@weft/api';
import type { Logger } from '@weft/shared';
import { ruleIdentities, sourceName } from './rule-identity';
import type { RulesChangePublisher } from './rules-change.publisher';
import type { RulesMetrics } from './rules.metrics';
import type { RuleWrite, RulesRepository, RulesSnapshot, StoredRule } from './rules.repository';

/** One group of documents of a request: a file's YAML/JSON text, or parsed objects (a JSON body). */
export type RulesBatch =
  | { readonly source: string; readonly text: string }
  | { readonly source: string; readonly objects: readonly unknown[] };
/** A request's documents: one or more batches, applied together (all or nothing). */
export type RulesInput = readonly RulesBatch[];

export interface WriteOptions {
  /** Validate and report what would change; store and announce nothing. */
  readonly dryRun?: boolean;
}

function toWrite(doc: RuleDocument): RuleWrite {
  const { apiVersion, kind, metadata, spec } = doc;
  const key = ruleKey(doc);
  return { key, kind, namespace: metadata.namespace, name: metadata.name, raw: doc.raw as Record<string, unknown>, document: { apiVersion, kind, metadata, spec } };
}

function keyParts(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', name = ''] = key.split('/');
  return { kind, namespace, name };
}

/**
 * Validates every document of a request, then stores them all or none and announces the change.
 * A rejected batch is a RuleValidationError listing every problem (document, field path, reason);
 * the stored rules are untouched.
 */
export class RulesService {
  constructor(
    private readonly repo: RulesRepository,
    private readonly publisher: RulesChangePublisher | null,
    private readonly log: Logger,
    private readonly metrics: RulesMetrics | null = null,
  ) {}

  /** Parses and validates every batch; all problems of all batches in one RuleValidationError. */
  validate(input: RulesInput): RuleDocument[] {
    const docs: RuleDocument[] = [];
    const issues: RuleIssue[] = [];
    const seen = new Map<string, string>();
    for (const batch of input) {
      try {
        const parsed = 'text' in batch ? parseRuleDocuments(batch.text, batch.source) : validateRuleObjects(batch.objects, batch.source);
        for (const doc of parsed) {
          const key = ruleKey(doc);
          const first = seen.get(key);
          if (first === undefined) seen.set(key, batch.source);
          else issues.push({ document: `${batch.source} ${key}`, path: 'metadata.name', message: `duplicate of a document in ${first}: a batch may hold ${key} only once` });
          docs.push(doc);
        }
      } catch (err) {
        if (!(err instanceof RuleValidationError)) throw err;
        issues.push(...err.issues);
      }
    }
    if (issues.length > 0) {
      this.metrics?.rejected.inc();
      throw new RuleValidationError(sourceName(input), issues);
    }
    return docs;
  }

  async apply(input: RulesInput, options: WriteOptions = {}): Promise<RulesWriteResponse> {
    const docs = this.validate(input);
    const dryRun = options.dryRun === true;
    const res = await this.repo.applyBatch(docs.map(toWrite), { dryRun });
    const results: RuleResult[] = res.results.map((r) => ({ ...keyParts(r.key), ...r }));
    if (!dryRun) this.announce(res.revision, results, 'apply');
    return { revision: res.revision, dryRun, results };
  }

  /** Deletes the rules the documents name (their kind, namespace and name; the rest is not validated). */
  deleteDocuments(input: RulesInput, options: WriteOptions = {}): Promise<RulesWriteResponse> {
    return this.delete(
      ruleIdentities(input).map((id) => id.key),
      options,
    );
  }

  /** Deletes the keys that exist, atomically; the others are reported `not-found`. */
  async delete(keys: readonly string[], options: WriteOptions = {}): Promise<RulesWriteResponse> {
    const dryRun = options.dryRun === true;
    const res = await this.repo.delete(keys, { dryRun });
    const results: RuleResult[] = res.results.map((r) => ({
      key: r.key,
      ...keyParts(r.key),
      action: r.existed ? 'deleted' : 'not-found',
      revision: r.existed ? res.revision : 0,
    }));
    if (!dryRun) this.announce(res.revision, results, 'delete');
    return { revision: res.revision, dryRun, results };
  }

  private announce(revision: number, results: readonly RuleResult[], op: string): void {
    for (const r of results) this.metrics?.writes.inc({ action: r.action });
    const changed = results.filter((r) => r.action !== 'unchanged' && r.action !== 'not-found').map((r) => r.key);
    if (changed.length === 0) return;
    this.log.info({ op, revision, keys: changed.length }, 'rules changed');
    this.publisher?.publish(revision, changed);
  }

  list(kind?: string, namespace?: string): Promise<RulesSnapshot> {
    return this.repo.list(kind, namespace);
  }

  get(key: string): Promise<StoredRule | null> {
    return this.repo.get(key);
  }
}
