/**
 * Proto3 JSON mapping of scalars and of the well-known types with a special JSON form, strict:
 * a value of the wrong JSON type is an error naming the expected type (`expected uint32`).
 * Results are plain JS values: numbers (int64 within ±2^53), strings, booleans; Durations become
 * milliseconds (a float, so sub-millisecond values survive).
 */
export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
};

/** google.protobuf wrapper message → the scalar it wraps. */
export const WRAPPER_SCALARS: Readonly<Record<string, string>> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (reason: string): Parsed => ({ ok: false, reason });

export function parseScalar(type: string, raw: unknown): Parsed {
  const range = INT_RANGES[type];
  if (range !== undefined) return parseInteger(type, raw, range);
  switch (type) {
    case 'double':
    case 'float':
      return parseFloating(type, raw);
    case 'bool':
      return typeof raw === 'boolean' ? ok(raw) : fail('expected bool (true or false)');
    case 'string':
      return typeof raw === 'string' ? ok(raw) : fail('expected string');
    case 'bytes':
      return typeof raw === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(raw) ? ok(raw) : fail('expected bytes (base64 string)');
    default:
      return fail(`unsupported scalar type ${type}`);
  }
}

function parseInteger(type: string, raw: unknown, [min, max]: readonly [number, number]): Parsed {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) return fail(`expected ${type}`);
  return ok(n);
}

function parseFloating(type: string, raw: unknown): Parsed {
  if (typeof raw === 'number') return ok(raw);
  if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return ok(Number(raw));
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return ok(Number(raw));
  return fail(`expected ${type}`);
}

/** Wrapper types: the bare scalar (proto3 JSON) or `{ value: scalar }` (protobufjs toObject). */
export function parseWrapper(scalar: string, raw: unknown): Parsed {
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw);
    if (keys.length !== 1 || keys[0] !== 'value') return fail(`expected ${scalar}`);
    return parseScalar(scalar, raw['value']);
  }
  return parseScalar(scalar, raw);
}

const DURATION_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000;
const DURATION_HINT = 'expected duration (a string like "5s" or "0.25s", or { seconds, nanos })';

/** google.protobuf.Duration → milliseconds. */
export function parseDuration(raw: unknown): Parsed {
  if (typeof raw === 'string') {
    const m = DURATION_RE.exec(raw.trim());
    if (m === null) return fail(DURATION_HINT);
    const sign = m[1] === '-' ? -1 : 1;
    const nanos = m[3] === undefined ? 0 : Number(m[3].padEnd(9, '0'));
    return durationMs(sign * Number(m[2]), sign * nanos);
  }
  if (isPlainObject(raw)) {
    const extra = Object.keys(raw).filter((k) => k !== 'seconds' && k !== 'nanos');
    const seconds = parseScalar('int64', raw['seconds'] ?? 0);
    const nanos = parseScalar('int32', raw['nanos'] ?? 0);
    if (extra.length > 0 || !seconds.ok || !nanos.ok) return fail(DURATION_HINT);
    return durationMs(seconds.value as number, nanos.value as number);
  }
  return fail(DURATION_HINT);
}

/** Envoy rejects negative and out-of-range durations anywhere in its configuration; so do we. */
function durationMs(seconds: number, nanos: number): Parsed {
  if (seconds < 0 || nanos < 0) return fail('duration must not be negative');
  if (seconds > MAX_DURATION_SECONDS || nanos > 999_999_999) return fail('duration out of range');
  return ok(seconds * 1000 + nanos / 1e6);
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** google.protobuf.Struct / Value / ListValue: any JSON, copied (objects get a null prototype). */
export function parseJson(raw: unknown, want: 'struct' | 'value' | 'list'): Parsed {
  if (want === 'struct' && !isPlainObject(raw)) return fail('expected an object (google.protobuf.Struct)');
  if (want === 'list' && !Array.isArray(raw)) return fail('expected a list (google.protobuf.ListValue)');
  const copy = copyJson(raw, 0);
  return copy === undefined ? fail('expected JSON-compatible values') : ok(copy);
}

function copyJson(raw: unknown, depth: number): JsonValue | undefined {
  if (depth > 64) return undefined;
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (Array.isArray(raw)) {
    const items = raw.map((v) => copyJson(v, depth + 1));
    return items.includes(undefined) ? undefined : (items as JsonValue[]);
  }
  if (!isPlainObject(raw)) return undefined;
  const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
  for (const [k, v] of Object.entries(raw)) {
    const c = copyJson(v, depth + 1);
    if (c === undefined) return undefined;
    out[k] = c;
  }
  return out;
}

export function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const proto: unknown = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}
