import { WeftError, type FieldIssue, type WeftErrorKind } from '@weft/shared';

/** Stable codes of telemetry's errors. */
export const TELEMETRY_ERRORS = {
  /** A message or body that is not JSON, or not the contract (zod issues attached). */
  invalidPayload: 'WEFT_ERR_TELEMETRY_INVALID_PAYLOAD',
  /** A latency histogram that does not decode, or whose count differs from the edge's requests. */
  badHistogram: 'WEFT_ERR_TELEMETRY_BAD_HISTOGRAM',
  /** A query parameter out of range (window, limit, lookback…). */
  badQuery: 'WEFT_ERR_TELEMETRY_BAD_QUERY',
  traceNotFound: 'WEFT_ERR_TELEMETRY_TRACE_NOT_FOUND',
  /** Redis could not be read or written. */
  storeUnavailable: 'WEFT_ERR_TELEMETRY_STORE_UNAVAILABLE',
} as const;

export function telemetryError(
  code: (typeof TELEMETRY_ERRORS)[keyof typeof TELEMETRY_ERRORS],
  kind: WeftErrorKind,
  message: string,
  options: { cause?: unknown; issues?: readonly FieldIssue[] } = {},
): WeftError {
  return new WeftError(code, kind, message, options);
}
