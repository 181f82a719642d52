import { parseAllDocuments } from 'yaml';
import { RULE_KINDS, RuleValidationError, type RuleIssue } from '@weft/api';
import type { RulesBatch } from './rules.service';

/** Who a document names, for delete: only kind, namespace (default `default`) and name are read. */
export interface RuleIdentity {
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valuesOf(batch: RulesBatch, issues: RuleIssue[]): { label: string; value: unknown }[] {
  if ('objects' in batch) return batch.objects.map((value, i) => ({ label: `${batch.source}#${i + 1}`, value }));
  const out: { label: string; value: unknown }[] = [];
  parseAllDocuments(batch.text).forEach((doc, i) => {
    const label = `${batch.source}#${i + 1}`;
    if (doc.errors.length > 0) issues.push({ document: label, path: '(root)', message: `YAML syntax error: ${doc.errors[0]?.message}` });
    else {
      // An empty document (a trailing `---`, comments only) names nothing, as in apply.
      const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
      if (value !== null && value !== undefined) out.push({ label, value });
    }
  });
  return out;
}

function identityOf(label: string, value: unknown, issues: RuleIssue[]): RuleIdentity | null {
  const meta = isObject(value) && isObject(value['metadata']) ? value['metadata'] : {};
  const kind = isObject(value) ? value['kind'] : undefined;
  const name = meta['name'];
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default';
  const document = `${label}${typeof kind === 'string' ? ` ${kind}` : ''}${typeof name === 'string' ? ` ${ns}/${name}` : ''}`;
  if (typeof kind !== 'string' || !(RULE_KINDS as readonly string[]).includes(kind)) {
    issues.push({ document, path: 'kind', message: `must be one of ${RULE_KINDS.join(', ')}` });
    return null;
  }
  if (typeof name !== 'string' || name === '') {
    issues.push({ document, path: 'metadata.name', message: 'is required' });
    return null;
  }
  return { key: `${kind}/${ns}/${name}`, kind, namespace: ns, name };
}

/** The rules the documents of a delete request name (List items included); any unusable one → RuleValidationError. */
export function ruleIdentities(input: readonly RulesBatch[]): RuleIdentity[] {
  const issues: RuleIssue[] = [];
  const ids = new Map<string, RuleIdentity>();
  for (const batch of input) {
    for (const { label, value } of valuesOf(batch, issues)) {
      const list = isObject(value) && value['kind'] === 'List' && Array.isArray(value['items']);
      const items: unknown[] = list ? (value['items'] as unknown[]) : [value];
      items.forEach((item, i) => {
        const id = identityOf(list ? `${label}.items[${i}]` : label, item, issues);
        if (id !== null) ids.set(id.key, id);
      });
    }
  }
  if (issues.length > 0) throw new RuleValidationError(sourceName(input), issues);
  return [...ids.values()];
}

/** How a request's batches are named in error messages: the one file, or `N files`. */
export function sourceName(input: readonly RulesBatch[]): string {
  return input.length === 1 ? (input[0]?.source ?? 'request') : `${input.length} files`;
}
