import { randomFillSync } from 'node:crypto';

/**
 * Tracing and request-id headers: keep what the client sent, create what is missing — W3C
 * `traceparent`, B3 (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`) and `x-request-id`.
 * Returns the ids for the access log.
 */
export interface TraceIds {
  readonly traceId: string;
  readonly requestId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Random ids come from one pooled buffer refilled 4 KiB at a time: a request needs up to 40 random
 * bytes, and one randomFillSync per ~100 requests costs far less than four randomBytes calls each.
 */
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function hex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return out;
}

function uuid(): string {
  const h = hex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function ensureTraceHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  out: string[],
  generateRequestId: boolean,
): TraceIds {
  let requestId = first(headers['x-request-id']) ?? '';
  if (requestId === '' && generateRequestId) {
    requestId = uuid();
    out.push('x-request-id', requestId);
  }
  const tp = first(headers['traceparent']);
  const m = tp === undefined ? null : TRACEPARENT.exec(tp);
  const b3 = first(headers['x-b3-traceid']);
  let traceId: string;
  if (m !== null) traceId = m[1];
  else if (b3 !== undefined && /^[0-9a-f]{16,32}$/.test(b3)) traceId = b3.padStart(32, '0');
  else traceId = hex(16);
  if (m === null) out.push('traceparent', `00-${traceId}-${hex(8)}-01`);
  if (b3 === undefined) out.push('x-b3-traceid', traceId, 'x-b3-spanid', hex(8), 'x-b3-sampled', '1');
  return { traceId, requestId };
}
