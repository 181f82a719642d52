/**
 * NATS subjects of telemetry (`weft.<app>.<entity>.<event>`), declared once. Every subject is consumed
 * by the telemetry replicas in the queue group {@link TELEMETRY_QUEUE}: each message reaches exactly one
 * replica (NATS core: a message in flight to a replica that dies is not redelivered).
 */
/** Pre-aggregated request/TCP reports of proxies; payload {@link TelemetryReport}. */
export const TELEMETRY_REPORTS_SUBJECT = 'weft.telemetry.reports';
/** Spans (a Zipkin v2 JSON array of spans); payload {@link ZipkinSpan}[]. */
export const TELEMETRY_SPANS_SUBJECT = 'weft.telemetry.spans';
/** Sampled access logs; payload {@link AccessLogRecord}[]. */
export const TELEMETRY_LOGS_SUBJECT = 'weft.telemetry.logs';
/** Queue group shared by the telemetry replicas. */
export const TELEMETRY_QUEUE = 'weft-telemetry';

export function telemetryReportsSubject(prefix = ''): string {
  return `${prefix}${TELEMETRY_REPORTS_SUBJECT}`;
}

export function telemetrySpansSubject(prefix = ''): string {
  return `${prefix}${TELEMETRY_SPANS_SUBJECT}`;
}

export function telemetryLogsSubject(prefix = ''): string {
  return `${prefix}${TELEMETRY_LOGS_SUBJECT}`;
}
