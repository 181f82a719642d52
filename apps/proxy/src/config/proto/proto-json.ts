import { Enum, type Field, type OneOf, Type } from 'protobufjs';
import { type ConfigContext, fieldPath, indexPath, keyPath } from '../config-context';
import { checkRules, isRequired, oneofRequired, rulesOf } from './pgv-rules';
import { lookupMessageType, typeNameOf } from '@weft/xds';
import { isPlainObject, parseDuration, parseJson, parseScalar, parseWrapper, WRAPPER_SCALARS, type Parsed } from './proto-scalars';
import type { ProtoAny, ProtoMessage } from './proto-value';

/**
 * Strict proto3-JSON → proto conversion driven by the loaded descriptors. Field names may be
 * snake_case or lowerCamelCase (as Envoy accepts); unknown fields, wrong JSON types, unknown enum
 * names and PGV constraint violations are reported with their path. While converting, a
 * SupportPolicy decides per set field whether weft-proxy honours it, ignores it (harmless) or rejects
 * it; an ignored field's subtree is still type-checked but no longer policy-checked.
 *
 * Output: plain objects keyed by the proto field name, holding only set fields (proto3 scalars equal
 * to their default count as unset, except oneof members); enums as value names; int64 as numbers;
 * Durations as milliseconds; wrappers as their scalar; Struct as JSON; maps as Map; Any as ProtoAny.
 */
export type Verdict =
  | { readonly kind: 'honoured' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'rejected'; readonly reason: string };

export interface SupportPolicy {
  knows(typeName: string): boolean;
  verdict(typeName: string, field: string): Verdict;
  /** Message types allowed in an Any (or map<string, Any>) field; '*' admits any type, kept opaque. */
  anyTypes(typeName: string, field: string): readonly string[];
}

/** How to treat a subtree: `policy` null means "accepted and ignored": type-checked only. */
interface Mode {
  readonly policy: SupportPolicy | null;
  readonly anyTypes: readonly string[] | null;
}

const INVALID = Symbol('invalid');
type Result = unknown;

export function protoFromJson(typeName: string, raw: unknown, path: string, ctx: ConfigContext, policy: SupportPolicy): ProtoMessage | null {
  const type = lookupMessageType(typeName);
  if (type === null) throw new Error(`proto type ${typeName} is not loaded`);
  const out = parseMessage(type, raw, path, ctx, policy);
  return out === INVALID ? null : (out as ProtoMessage);
}

function parseMessage(type: Type, raw: unknown, path: string, ctx: ConfigContext, policy: SupportPolicy | null): Result {
  const typeName = typeNameOf(type);
  if (!isPlainObject(raw)) return invalid(ctx, path, `expected an object (${typeName})`);
  if (policy !== null && !policy.knows(typeName)) return invalid(ctx, path, `${typeName} is not supported by weft-proxy`);
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  const failed = new Set<string>();
  const index = fieldIndex(type);
  for (const key of Object.keys(raw)) {
    const field = index.get(key);
    if (field === undefined) {
      ctx.issue(fieldPath(path, key), `unknown field (not in ${typeName})`);
      continue;
    }
    const fpath = fieldPath(path, field.name);
    const previous = seen.get(field.name);
    seen.set(field.name, key);
    if (previous !== undefined) ctx.issue(fpath, `set twice (as "${previous}" and "${key}")`);
    else if (raw[key] !== null && raw[key] !== undefined) {
      const before = ctx.issues.length;
      parseField(out, typeName, field, raw[key], fpath, ctx, policy);
      if (ctx.issues.length > before) failed.add(field.name);
    }
  }
  checkOneofs(type, out, failed, path, ctx);
  checkAbsent(type, out, failed, path, ctx);
  return out;
}

function parseField(out: Record<string, unknown>, typeName: string, field: Field, raw: unknown, path: string, ctx: ConfigContext, policy: SupportPolicy | null): void {
  const verdict: Verdict = policy === null ? { kind: 'ignored' } : policy.verdict(typeName, field.name);
  const mode: Mode =
    verdict.kind === 'honoured' && policy !== null ? { policy, anyTypes: policy.anyTypes(typeName, field.name) } : { policy: null, anyTypes: null };
  const isMessage = field.resolvedType instanceof Type;
  if (field.map || field.repeated || isMessage) {
    if (isEmptyCollection(field, raw)) return; // unset: checkAbsent applies PGV
    if (!accept(verdict, policy, path, ctx)) return;
  }
  const value = field.map ? parseMap(field, raw, path, ctx, mode) : field.repeated ? parseList(field, raw, path, ctx, mode) : parseValue(field, raw, path, ctx, mode);
  if (value === INVALID) return;
  if (!field.map && !field.repeated && !isMessage) {
    if (!hasExplicitPresence(field) && isDefaultScalar(field, value)) return; // unset, as in proto3
    if (!accept(verdict, policy, path, ctx)) return;
  }
  const reason = checkRules(rulesOf(field), ...ruleInput(field, value));
  if (reason !== null) ctx.issue(path, reason);
  out[field.name] = value;
}

function accept(verdict: Verdict, policy: SupportPolicy | null, path: string, ctx: ConfigContext): boolean {
  if (verdict.kind === 'rejected') {
    ctx.issue(path, verdict.reason);
    return false;
  }
  if (verdict.kind === 'ignored' && policy !== null) ctx.ignored.push(path);
  return true;
}

function isEmptyCollection(field: Field, raw: unknown): boolean {
  if (field.repeated) return Array.isArray(raw) && raw.length === 0;
  if (field.map) return isPlainObject(raw) && Object.keys(raw).length === 0;
  return false;
}

function parseList(field: Field, raw: unknown, path: string, ctx: ConfigContext, mode: Mode): Result {
  if (!Array.isArray(raw)) return invalid(ctx, path, 'expected a list');
  const items = raw.map((item, i) => parseValue(field, item, indexPath(path, i), ctx, mode));
  return items.includes(INVALID) ? INVALID : items;
}

function parseMap(field: Field, raw: unknown, path: string, ctx: ConfigContext, mode: Mode): Result {
  if (!isPlainObject(raw)) return invalid(ctx, path, 'expected an object (map)');
  const entries = new Map<string, unknown>();
  for (const key of Object.keys(raw)) entries.set(key, parseValue(field, raw[key], keyPath(path, key), ctx, mode));
  return [...entries.values()].includes(INVALID) ? INVALID : entries;
}

function parseValue(field: Field, raw: unknown, path: string, ctx: ConfigContext, mode: Mode): Result {
  const rt = field.resolvedType;
  if (rt instanceof Enum) return parseEnum(rt, raw, path, ctx);
  if (rt instanceof Type) return parseMessageValue(rt, raw, path, ctx, mode);
  return fromParsed(parseScalar(field.type, raw), path, ctx);
}

function parseMessageValue(type: Type, raw: unknown, path: string, ctx: ConfigContext, mode: Mode): Result {
  const name = typeNameOf(type);
  const special = parseWellKnown(name, raw);
  if (special !== null) return fromParsed(special, path, ctx);
  if (name === 'google.protobuf.Any') return parseAny(raw, path, ctx, mode);
  return parseMessage(type, raw, path, ctx, mode.policy);
}

/** Well-known types with a special JSON form; null for ordinary messages. */
function parseWellKnown(name: string, raw: unknown): Parsed | null {
  const wrapped = WRAPPER_SCALARS[name];
  if (wrapped !== undefined) return parseWrapper(wrapped, raw);
  switch (name) {
    case 'google.protobuf.Duration':
      return parseDuration(raw);
    case 'google.protobuf.Struct':
      return parseJson(raw, 'struct');
    case 'google.protobuf.Value':
      return parseJson(raw, 'value');
    case 'google.protobuf.ListValue':
      return parseJson(raw, 'list');
    case 'google.protobuf.Timestamp':
    case 'google.protobuf.FieldMask':
      return parseScalar('string', raw);
    default:
      return null;
  }
}

function parseAny(raw: unknown, path: string, ctx: ConfigContext, mode: Mode): Result {
  if (!isPlainObject(raw)) return invalid(ctx, path, 'expected an object with "@type" (google.protobuf.Any)');
  const url = raw['@type'];
  if (typeof url !== 'string' || url === '') return invalid(ctx, fieldPath(path, '@type'), 'required ("type.googleapis.com/<message type>")');
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  const allowed = mode.anyTypes;
  if (allowed !== null && !allowed.includes(typeName)) {
    if (allowed.includes('*')) return opaqueAny(url, typeName);
    const supported = allowed.length === 0 ? 'none' : allowed.join(', ');
    return invalid(ctx, path, `${typeName} is not supported by weft-proxy here (supported: ${supported})`);
  }
  const type = lookupMessageType(typeName);
  if (type === null) return allowed === null ? opaqueAny(url, typeName) : invalid(ctx, path, `unknown type ${url}`);
  const rest: Record<string, unknown> = { ...raw };
  delete rest['@type'];
  const special = parseWellKnown(typeName, rest['value']);
  const value =
    special === null
      ? parseMessage(type, rest, path, ctx, mode.policy)
      : Object.keys(rest).some((k) => k !== 'value')
        ? invalid(ctx, path, `expected only "@type" and "value" for ${typeName}`)
        : fromParsed(special, fieldPath(path, 'value'), ctx);
  if (value === INVALID) return INVALID;
  const any: ProtoAny = { typeUrl: url, typeName, value };
  return any;
}

function opaqueAny(typeUrl: string, typeName: string): ProtoAny {
  return { typeUrl, typeName, value: null };
}

function parseEnum(type: Enum, raw: unknown, path: string, ctx: ConfigContext): Result {
  if (typeof raw === 'string' && Object.prototype.hasOwnProperty.call(type.values, raw)) return raw;
  if (typeof raw === 'number' && type.valuesById[raw] !== undefined) return type.valuesById[raw];
  return invalid(ctx, path, `expected one of ${Object.keys(type.values).join(', ')}`);
}

function checkOneofs(type: Type, out: Record<string, unknown>, failed: ReadonlySet<string>, path: string, ctx: ConfigContext): void {
  for (const oneof of type.oneofsArray) {
    if (isSynthetic(oneof)) continue;
    const set = oneof.oneof.filter((name) => name in out);
    if (set.length > 1) ctx.issue(fieldPath(path, set[1]), `only one of ${set.join(', ')} may be set (oneof ${oneof.name})`);
    if (set.length === 0 && !oneof.oneof.some((name) => failed.has(name)) && oneofRequired(oneof)) ctx.issue(path, `one of ${oneof.oneof.join(', ')} is required`);
  }
}

function checkAbsent(type: Type, out: Record<string, unknown>, failed: ReadonlySet<string>, path: string, ctx: ConfigContext): void {
  for (const field of type.fieldsArray) {
    if (!(field.name in out) && !failed.has(field.name) && !hasExplicitPresence(field)) checkAbsentField(field, fieldPath(path, field.name), ctx);
  }
}

/** PGV on an unset field (not a oneof member): `required`, min_items, scalar rules on the default. */
function checkAbsentField(field: Field, path: string, ctx: ConfigContext): void {
  const rules = rulesOf(field);
  if (rules === null) return;
  if (isRequired(rules)) return ctx.issue(path, 'value is required');
  if (field.repeated) return report(ctx, path, checkRules(rules, 'repeated', []));
  if (field.map) return report(ctx, path, checkRules(rules, 'map', []));
  if (field.resolvedType instanceof Type) return;
  const kind = field.resolvedType instanceof Enum ? 'enum' : field.type;
  report(ctx, path, checkRules(rules, kind, defaultScalar(field)));
}

function report(ctx: ConfigContext, path: string, reason: string | null): void {
  if (reason !== null) ctx.issue(path, reason);
}

/** [PGV rule family, value] for a present value. */
function ruleInput(field: Field, value: unknown): [string, unknown] {
  const rt = field.resolvedType;
  const kindOf = (v: unknown): [string, unknown] => {
    if (rt instanceof Enum) return ['enum', rt.values[v as string]];
    if (rt instanceof Type) {
      const name = typeNameOf(rt);
      return [WRAPPER_SCALARS[name] ?? (name === 'google.protobuf.Duration' ? 'duration' : 'message'), v];
    }
    return [field.type, v];
  };
  if (field.map) return ['map', [...(value as Map<string, unknown>).keys()].map((k) => [k, k])];
  if (field.repeated) return ['repeated', (value as unknown[]).map(kindOf)];
  return kindOf(value);
}

function hasExplicitPresence(field: Field): boolean {
  return field.partOf !== null && field.partOf !== undefined;
}

function isSynthetic(oneof: OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0].options?.['proto3_optional'] === true;
}

function isDefaultScalar(field: Field, value: unknown): boolean {
  return value === defaultScalar(field);
}

function defaultScalar(field: Field): unknown {
  const rt = field.resolvedType;
  if (rt instanceof Enum) return rt.valuesById[0];
  if (field.type === 'bool') return false;
  if (field.type === 'string' || field.type === 'bytes') return '';
  return 0;
}

function fromParsed(parsed: Parsed, path: string, ctx: ConfigContext): Result {
  return parsed.ok ? parsed.value : invalid(ctx, path, parsed.reason);
}

function invalid(ctx: ConfigContext, path: string, reason: string): typeof INVALID {
  ctx.issue(path, reason);
  return INVALID;
}

const indexes = new WeakMap<Type, Map<string, Field>>();

/** Field lookup by proto name and by JSON (lowerCamelCase) name. */
function fieldIndex(type: Type): Map<string, Field> {
  let index = indexes.get(type);
  if (index === undefined) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      index.set(jsonName(field.name), field);
    }
    indexes.set(type, index);
  }
  return index;
}

/** protoc's default json_name: drop each '_' and upper-case the next character. */
function jsonName(name: string): string {
  return name.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
}
