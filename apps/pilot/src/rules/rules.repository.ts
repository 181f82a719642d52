import type { Redis } from 'ioredis';
import { WeftError } from '@weft/shared';
import { contentDigest } from './canonical-json';
import { APPLY_RULES, DELETE_RULES } from './rules.lua';

/** What the repository stores for one document (the service derives it from a validated RuleDocument). */
export interface RuleWrite {
  /** `Kind/namespace/name`. */
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The document exactly as the user wrote it; its content decides created/configured/unchanged. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The validated form, kept for inspection (the watcher rebuilds it from `raw`). */
  readonly document: unknown;
}

/** One stored rule: the written body plus the store's bookkeeping. */
export interface StoredRule extends RuleWrite {
  /** The revision of the change that last wrote this rule. */
  readonly revision: number;
  /** `String(revision)`, Kubernetes' name for it. */
  readonly resourceVersion: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** sha256 of the canonical JSON of `raw`. */
  readonly digest: string;
}

export type WriteAction = 'created' | 'configured' | 'unchanged';

export interface BatchResult<A extends string> {
  /** The global revision after the batch (for a dry run: what it would be). */
  readonly revision: number;
  readonly results: readonly { readonly key: string; readonly action: A; readonly revision: number }[];
}

export interface RulesSnapshot {
  readonly revision: number;
  readonly rules: readonly StoredRule[];
}

type Cmd = (...args: (string | number)[]) => Promise<unknown>;
type ScriptedRedis = Redis & { weftRulesApply: Cmd; weftRulesDelete: Cmd };

function storeError(err: unknown, what: string): WeftError {
  return new WeftError('WEFT_ERR_PILOT_STORE', 'unavailable', `${what}: rules store unavailable`, { cause: err });
}

/**
 * Pilot's rules in Redis: the hash `<prefix>pilot:rules` (`Kind/ns/name` → record JSON) and the global
 * revision `<prefix>pilot:rules:rev`. Each write is one Lua script, so a batch is stored entirely or
 * not at all and every replica sees one order of revisions.
 */
export class RulesRepository {
  private readonly r: ScriptedRedis;
  private readonly rulesKey: string;
  private readonly revKey: string;

  constructor(redis: Redis, prefix: string) {
    if (!('weftRulesApply' in redis)) redis.defineCommand('weftRulesApply', { numberOfKeys: 2, lua: APPLY_RULES });
    if (!('weftRulesDelete' in redis)) redis.defineCommand('weftRulesDelete', { numberOfKeys: 2, lua: DELETE_RULES });
    this.r = redis as ScriptedRedis;
    this.rulesKey = `${prefix}pilot:rules`;
    this.revKey = `${prefix}pilot:rules:rev`;
  }

  /** Stores every document or none; reports per document whether it was created, changed or the same. */
  async applyBatch(docs: readonly RuleWrite[], options: { dryRun?: boolean } = {}): Promise<BatchResult<WriteAction>> {
    const args: string[] = [options.dryRun === true ? '1' : '0'];
    for (const d of docs) {
      const body = { key: d.key, kind: d.kind, namespace: d.namespace, name: d.name, raw: d.raw, document: d.document };
      args.push(d.key, contentDigest(d.raw), JSON.stringify(body));
    }
    const out = (await this.r.weftRulesApply(this.rulesKey, this.revKey, ...args).catch((err: unknown) => {
      throw storeError(err, 'apply rules');
    })) as (number | string)[];
    const results = docs.map((d, i) => ({
      key: d.key,
      action: out[1 + 2 * i] as WriteAction,
      revision: Number(out[2 + 2 * i]),
    }));
    return { revision: Number(out[0]), results };
  }

  /** Deletes the keys that exist, atomically; `existed` tells which did. */
  async delete(
    keys: readonly string[],
    options: { dryRun?: boolean } = {},
  ): Promise<{ revision: number; results: { key: string; existed: boolean }[] }> {
    const out = (await this.r
      .weftRulesDelete(this.rulesKey, this.revKey, options.dryRun === true ? '1' : '0', ...keys)
      .catch((err: unknown) => {
        throw storeError(err, 'delete rules');
      })) as number[];
    return { revision: Number(out[0]), results: keys.map((key, i) => ({ key, existed: out[1 + i] === 1 })) };
  }

  async get(key: string): Promise<StoredRule | null> {
    const json = await this.r.hget(this.rulesKey, key).catch((err: unknown) => {
      throw storeError(err, 'read rule');
    });
    return json === null ? null : (JSON.parse(json) as StoredRule);
  }

  /** Every rule and the revision they are at, read as one consistent snapshot. */
  async all(): Promise<RulesSnapshot> {
    const res = await this.r
      .multi()
      .hgetall(this.rulesKey)
      .get(this.revKey)
      .exec()
      .catch((err: unknown) => {
        throw storeError(err, 'read rules');
      });
    if (res === null || res[0][0] !== null || res[1][0] !== null) throw storeError(res?.[0][0] ?? res?.[1][0], 'read rules');
    const hash = res[0][1] as Record<string, string>;
    const rules = Object.values(hash).map((json) => JSON.parse(json) as StoredRule);
    rules.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { revision: Number(res[1][1] ?? 0), rules };
  }

  /** Rules of one kind and/or namespace (both optional), sorted by key. */
  async list(kind?: string, namespace?: string): Promise<RulesSnapshot> {
    const snap = await this.all();
    const rules = snap.rules.filter(
      (r) => (kind === undefined || r.kind === kind) && (namespace === undefined || r.namespace === namespace),
    );
    return { revision: snap.revision, rules };
  }

  /** The current global revision (0 before the first change). */
  async revision(): Promise<number> {
    return Number((await this.r.get(this.revKey)) ?? 0);
  }
}
