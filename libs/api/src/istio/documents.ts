import { parseAllDocuments, stringify } from 'yaml';
import { RuleValidationError, type RuleIssue } from './rule-errors';
import { describeDocument, isPlainObject, ruleKey, validateDocument, type RuleDocument } from './rule-document';

/** Batches of rule documents: YAML/JSON text (weftctl apply -f) or parsed objects (REST bodies). */

interface Entry {
  /** `source#n`, n counting from 1; `source#n.items[i]` inside a `kind: List`. */
  label: string;
  value: unknown;
}

/** Aliases expand into copies: a few are fine, a "billion laughs" document is not. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses one YAML/JSON text holding one or more documents ('---' separated; a `kind: List` with
 * `items` is accepted too). Every document is validated; any problem throws a RuleValidationError
 * listing ALL problems, and nothing is returned. Empty documents are skipped (but still counted in
 * the `#n` labels, so `#2` is the second document of the file).
 */
export function parseRuleDocuments(text: string, source: string): RuleDocument[] {
  const entries: Entry[] = [];
  const issues: RuleIssue[] = [];
  parseAllDocuments(text, { uniqueKeys: true }).forEach((doc, i) => {
    const label = `${source}#${i + 1}`;
    if (doc.errors.length > 0) {
      issues.push(...doc.errors.map((e) => ({ document: label, path: '(root)', message: `YAML syntax error: ${e.message}` })));
      return;
    }
    try {
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (value !== null && value !== undefined) entries.push({ label, value });
    } catch (err) {
      issues.push({ document: label, path: '(root)', message: `YAML error: ${(err as Error).message}` });
    }
  });
  return validateEntries(entries, issues, source);
}

/** Validates already-parsed objects (a REST body); same rules and errors. `source` names the batch. */
export function validateRuleObjects(objects: readonly unknown[], source: string): RuleDocument[] {
  return validateEntries(
    objects.map((value, i) => ({ label: `${source}#${i + 1}`, value })),
    [],
    source,
  );
}

function expandLists(entries: readonly Entry[]): Entry[] {
  return entries.flatMap((e) => {
    if (!isPlainObject(e.value) || e.value.kind !== 'List' || !Array.isArray(e.value.items)) return [e];
    return e.value.items.map((value: unknown, i) => ({ label: `${e.label}.items[${i}]`, value }));
  });
}

function validateEntries(entries: readonly Entry[], issues: RuleIssue[], source: string): RuleDocument[] {
  const docs: RuleDocument[] = [];
  const firstSeen = new Map<string, string>();
  for (const entry of expandLists(entries)) {
    const result = validateDocument(entry.label, entry.value);
    issues.push(...result.issues);
    if (result.doc === null) continue;
    const key = ruleKey(result.doc);
    const first = firstSeen.get(key);
    if (first !== undefined) {
      const document = describeDocument(entry.label, entry.value as Record<string, unknown>);
      issues.push({ document, path: 'metadata.name', message: `duplicate of ${first}: a batch may hold ${key} only once` });
      continue;
    }
    firstSeen.set(key, entry.label);
    docs.push(result.doc);
  }
  if (issues.length > 0) throw new RuleValidationError(source, issues);
  return docs;
}

/** The documents as the user wrote them (`raw`), for `weftctl get`: YAML documents, or JSON (a List for several). */
export function formatRuleDocuments(docs: readonly { raw: unknown }[], format: 'yaml' | 'json'): string {
  if (format === 'json') {
    const body = docs.length === 1 ? docs[0]?.raw : { apiVersion: 'v1', kind: 'List', items: docs.map((d) => d.raw) };
    return `${JSON.stringify(body, null, 2)}\n`;
  }
  return docs.map((d) => stringify(d.raw)).join('---\n');
}
