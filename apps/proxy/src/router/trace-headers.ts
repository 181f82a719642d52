import { randomFillSync } from 'node:crypto';
import { PEER_HEADER } from '../observability/peer-metadata';

/**
 * Tracing and request-id headers: keep what the client sent, create what is missing — W3C
 * `traceparent`, B3 (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`) and `x-request-id`.
 * Returns the ids for the access log.
 *
 * With tracing on ({@link configureTracing}: the proxy reports spans) the proxy takes part in the
 * trace: a sampled request gets a new span id, which replaces the parent id in the `traceparent` (and
 * `x-b3-spanid`) sent upstream, so the next hop's span is this proxy's child. The sampling decision is
 * the caller's when it sent one (traceparent flags, else `x-b3-sampled`), else `samplingPercent`. Its
 * span ids are kept for {@link takeSpanIds} (one WeakMap entry per sampled request only). Tracing off,
 * the ids sent are passed on untouched (a proxy that reports no span must not become a parent).
 *
 * Peer metadata ({@link PEER_HEADER}): `peer` — this proxy's `<workload>.<namespace>`, given for
 * outbound requests to mesh destinations only — is added to `out`, which never carries an incoming
 * one (upstreamRequestHeaders does not copy it: the inbound proxy has read it, an app cannot set it).
 */
export interface TraceIds {
  readonly traceId: string;
  readonly requestId: string;
}

/** The span of a sampled request: its id, and the caller's span id (null at the root). */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
}


const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

interface TracingConfig {
  readonly samplingPercent: number;
}
let tracing: TracingConfig | null = null;
const sampledSpans = new WeakMap<object, SpanIds>();

/** Turns tracing on (null: off) for this process: the proxy reports spans. */
export function configureTracing(config: TracingConfig | null): void {
  tracing = config;
}

/** The span ids of a sampled request, by its downstream headers object; null when not sampled. */
export function takeSpanIds(headers: object): SpanIds | null {
  return sampledSpans.get(headers) ?? null;
}

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
  peer: string | null = null,
): TraceIds {
  if (peer !== null) out.push(PEER_HEADER, peer);
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
  if (tracing !== null) return traced(headers, out, tracing, { traceId, requestId }, m);
  if (m === null) out.push('traceparent', `00-${traceId}-${hex(8)}-01`);
  if (b3 === undefined) out.push('x-b3-traceid', traceId, 'x-b3-spanid', hex(8), 'x-b3-sampled', '1');
  return { traceId, requestId };
}

/** The caller's sampling decision (W3C flags, else B3), or null when it made none. */
function callerSampled(headers: Readonly<Record<string, string | string[] | undefined>>, m: RegExpExecArray | null): boolean | null {
  if (m !== null) return (parseInt(m[3], 16) & 1) === 1;
  const s = first(headers['x-b3-sampled']);
  return s === undefined ? null : s === '1' || s === 'true';
}

function traced(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  out: string[],
  cfg: TracingConfig,
  ids: TraceIds,
  m: RegExpExecArray | null,
): TraceIds {
  const decided = callerSampled(headers, m);
  const sampled = decided ?? Math.random() * 100 < cfg.samplingPercent;
  const b3Span = first(headers['x-b3-spanid']);
  const parentId = m !== null ? m[2] : b3Span !== undefined && SPAN_ID.test(b3Span) ? b3Span : null;
  const spanId = sampled || m === null ? hex(8) : (parentId as string);
  if (sampled) sampledSpans.set(headers, { traceId: ids.traceId, spanId, parentId });
  const traceparent = `00-${ids.traceId}-${spanId}-${sampled ? '01' : '00'}`;
  let tpSet = false;
  for (let i = out.length - 2; i >= 0; i -= 2) {
    const name = out[i];
    if (name === 'traceparent') {
      out[i + 1] = traceparent;
      tpSet = true;
    }
    else if (name === 'x-b3-spanid' && sampled) out[i + 1] = spanId;
  }
  if (!tpSet) out.push('traceparent', traceparent);
  if (first(headers['x-b3-traceid']) === undefined) out.push('x-b3-traceid', ids.traceId, 'x-b3-spanid', spanId, 'x-b3-sampled', sampled ? '1' : '0');
  return ids;
}
