import type { Field, OneOf } from 'protobufjs';

/**
 * The subset of protoc-gen-validate rules Envoy's protos use (read from the `(validate.rules)`
 * field options and `(validate.required)` oneof options), so a bootstrap Envoy would reject for a
 * constraint is rejected here too, with PGV's wording.
 */
export type Rules = Readonly<Record<string, unknown>>;

const cache = new WeakMap<Field, Rules | null>();

export function rulesOf(field: Field): Rules | null {
  let rules = cache.get(field);
  if (rules === undefined) {
    rules = mergeRules(field.parsedOptions as unknown);
    cache.set(field, rules);
  }
  return rules;
}

export function oneofRequired(oneof: OneOf): boolean {
  return oneof.options?.['(validate.required)'] === true;
}

function mergeRules(parsed: unknown): Rules | null {
  if (!Array.isArray(parsed)) return null;
  let merged: Record<string, unknown> | null = null;
  for (const entry of parsed as unknown[]) {
    const rules = (entry as Record<string, unknown> | null)?.['(validate.rules)'];
    if (rules !== undefined && rules !== null && typeof rules === 'object') merged = { ...(merged ?? {}), ...rules };
  }
  return merged;
}

/** Is the field required (message / duration / any `required: true`)? */
export function isRequired(rules: Rules | null): boolean {
  if (rules === null) return false;
  return ['message', 'duration', 'any'].some((k) => sub(rules, k)?.['required'] === true);
}

function sub(rules: Rules, key: string): Rules | null {
  const v = rules[key];
  return v !== null && typeof v === 'object' ? (v as Rules) : null;
}

const NUMERIC_KINDS = ['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64'];

/**
 * Checks a present value. `kind` is the PGV rule family: a scalar type, 'duration' (value in ms),
 * 'enum' (value = number), 'repeated' / 'map' (value = array / entries). Returns the reason or null.
 */
export function checkRules(rules: Rules | null, kind: string, value: unknown): string | null {
  if (rules === null) return null;
  if (kind === 'repeated') return checkRepeated(sub(rules, 'repeated'), value as readonly [string, unknown][]);
  if (kind === 'map') return checkMap(sub(rules, 'map'), value as readonly [string, unknown][]);
  const r = sub(rules, kind === 'enum' ? 'enum' : kind);
  if (r === null) return null;
  if (NUMERIC_KINDS.includes(kind) || kind === 'enum') return checkNumber(r, value as number);
  if (kind === 'duration') return checkNumber(durationBounds(r), value as number, 'ms');
  if (kind === 'string') return checkString(r, value as string);
  if (kind === 'bytes') return checkBytes(r, value as string);
  if (kind === 'bool' && r['const'] !== undefined && r['const'] !== value) return `value must equal ${String(r['const'])}`;
  return null;
}

/** Items as [kind, value] pairs so element rules can be applied by kind. */
function checkRepeated(r: Rules | null, items: readonly [string, unknown][]): string | null {
  if (r === null) return null;
  const min = r['min_items'];
  const max = r['max_items'];
  if (typeof min === 'number' && items.length < min) return `value must contain at least ${min} item(s)`;
  if (typeof max === 'number' && items.length > max) return `value must contain no more than ${max} item(s)`;
  if (r['unique'] === true && new Set(items.map(([, v]) => JSON.stringify(v))).size !== items.length) {
    return 'repeated value must contain unique items';
  }
  return checkEach(sub(r, 'items'), items, 'item');
}

function checkMap(r: Rules | null, entries: readonly [string, unknown][]): string | null {
  if (r === null) return null;
  const min = r['min_pairs'];
  if (typeof min === 'number' && entries.length < min) return `value must contain at least ${min} pair(s)`;
  return checkEach(sub(r, 'keys'), entries.map(([k]) => ['string', k] as [string, unknown]), 'key');
}

function checkEach(itemRules: Rules | null, items: readonly [string, unknown][], what: string): string | null {
  if (itemRules === null) return null;
  for (let i = 0; i < items.length; i++) {
    const [kind, v] = items[i];
    const reason = checkRules(itemRules, kind, v);
    if (reason !== null) return `${what} ${i}: ${reason}`;
  }
  return null;
}

function durationBounds(r: Rules): Rules {
  const out: Record<string, number> = {};
  for (const k of ['gt', 'gte', 'lt', 'lte', 'const']) {
    const d = r[k] as { seconds?: number; nanos?: number } | undefined;
    if (d !== undefined) out[k] = Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6;
  }
  return out;
}

function checkNumber(r: Rules, v: number, unit = ''): string | null {
  const n = (k: string): number | null => (typeof r[k] === 'number' ? (r[k] as number) : r[k] === undefined ? null : Number(r[k]));
  const u = unit;
  const [gt, gte, lt, lte, eq] = [n('gt'), n('gte'), n('lt'), n('lte'), n('const')];
  if (eq !== null && v !== eq) return `value must equal ${eq}${u}`;
  if (gt !== null && !(v > gt)) return `value must be greater than ${gt}${u}`;
  if (gte !== null && !(v >= gte)) return `value must be greater than or equal to ${gte}${u}`;
  if (lt !== null && !(v < lt)) return `value must be less than ${lt}${u}`;
  if (lte !== null && !(v <= lte)) return `value must be less than or equal to ${lte}${u}`;
  const inList = r['in'];
  if (Array.isArray(inList) && !inList.map(Number).includes(v)) return `value must be in list [${inList.join(', ')}]`;
  const notIn = r['not_in'];
  if (Array.isArray(notIn) && notIn.map(Number).includes(v)) return `value must not be in list [${notIn.join(', ')}]`;
  return null;
}

// PGV's well-known patterns (strict) and the lax form (`strict: false`: no NUL, CR or LF).
const HEADER_NAME_RE = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_RE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// eslint-disable-next-line no-control-regex
const LAX_RE = /^[^\u0000\u000A\u000D]*$/;

function checkString(r: Rules, v: string): string | null {
  if (r['ignore_empty'] === true && v === '') return null;
  const chars = [...v].length;
  const bytes = Buffer.byteLength(v, 'utf8');
  const num = (k: string): number | null => (r[k] === undefined ? null : Number(r[k]));
  if (num('len') !== null && chars !== num('len')) return `value length must be ${num('len')} characters`;
  if (num('min_len') !== null && chars < (num('min_len') as number)) return `value length must be at least ${num('min_len')} characters`;
  if (num('max_len') !== null && chars > (num('max_len') as number)) return `value length must be at most ${num('max_len')} characters`;
  if (num('min_bytes') !== null && bytes < (num('min_bytes') as number)) return `value length must be at least ${num('min_bytes')} bytes`;
  if (num('max_bytes') !== null && bytes > (num('max_bytes') as number)) return `value length must be at most ${num('max_bytes')} bytes`;
  if (Array.isArray(r['in']) && !(r['in'] as unknown[]).includes(v)) return `value must be in list [${(r['in'] as unknown[]).join(', ')}]`;
  if (typeof r['prefix'] === 'string' && !v.startsWith(r['prefix'])) return `value does not have prefix "${r['prefix']}"`;
  if (typeof r['pattern'] === 'string' && !safeTest(r['pattern'], v)) return `value does not match regex pattern "${r['pattern']}"`;
  return checkWellKnown(r, v);
}

function checkWellKnown(r: Rules, v: string): string | null {
  const wk = r['well_known_regex'];
  if (wk !== 'HTTP_HEADER_NAME' && wk !== 'HTTP_HEADER_VALUE') return null;
  const re = r['strict'] === false ? LAX_RE : wk === 'HTTP_HEADER_NAME' ? HEADER_NAME_RE : HEADER_VALUE_RE;
  if (re.test(v)) return null;
  return wk === 'HTTP_HEADER_NAME' ? 'value must be a valid HTTP header name' : 'value must be a valid HTTP header value';
}

function checkBytes(r: Rules, base64: string): string | null {
  const n = Buffer.from(base64, 'base64').length;
  if (r['min_len'] !== undefined && n < Number(r['min_len'])) return `value length must be at least ${String(r['min_len'])} bytes`;
  if (r['max_len'] !== undefined && n > Number(r['max_len'])) return `value length must be at most ${String(r['max_len'])} bytes`;
  return null;
}

/** PGV patterns are RE2; the few in Envoy's protos are also valid JavaScript. */
function safeTest(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return true;
  }
}
