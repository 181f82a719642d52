import {
  CONNECT_FAILURE_OUTCOME,
  REFUSED_STREAM_OUTCOME,
  RESET_OUTCOME,
  TIMEOUT_OUTCOME,
  type OutlierResult,
  type RetryOutcome,
  type RetryPredicate,
} from '@weft/proxy-core';

/** What one upstream attempt ended with: proxy-core's RetryOutcome (a response, or why there was none). */
export type UpstreamOutcome = RetryOutcome;
export type RetryDecider = RetryPredicate;

export function outcomeOfResponse(status: number, headers: Record<string, string | string[]>): UpstreamOutcome {
  const gs = headers['grpc-status'];
  const grpcStatus = gs === undefined ? null : Number(Array.isArray(gs) ? gs[0] : gs);
  return { kind: 'response', status, grpcStatus, headers };
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND']);

/** Maps a transport error (undici, net) to an outcome. */
export function classifyError(err: Error & { code?: string }): UpstreamOutcome {
  const code = err.code ?? '';
  // TLS to the upstream failed (handshake, chain, SPIFFE identity): a connect failure, as Envoy's UF.
  if (CONNECT_CODES.has(code) || code.startsWith('WEFT_ERR_TLS_')) return CONNECT_FAILURE_OUTCOME;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return TIMEOUT_OUTCOME;
  if (/REFUSED_STREAM/.test(err.message)) return REFUSED_STREAM_OUTCOME;
  return RESET_OUTCOME;
}

/** How an outcome counts for outlier detection (Envoy: connect failures and resets are 503-like). */
export function outlierResultOf(o: UpstreamOutcome): OutlierResult {
  if (o.kind !== 'response') return 'local-failure';
  if (o.status === 502 || o.status === 503 || o.status === 504) return 'gateway';
  return o.status >= 500 ? '5xx' : 'success';
}
