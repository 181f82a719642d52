import { ISTIO_DURATION_BUCKETS_MS, REQUEST_LABELS, TCP_LABELS } from './istio-labels';

/** The mesh-wide cumulative totals as stored in Redis (hash field → value). */
export interface MeshTotals {
  readonly req: Record<string, string>;
  readonly dur: Record<string, string>;
  readonly reqb: Record<string, string>;
  readonly respb: Record<string, string>;
  readonly tcp: Record<string, string>;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `{a="x",b="y"}` from a stored series key (JSON array of values in `names` order). */
function labelsOf(names: readonly string[], seriesKey: string, extra = ''): string {
  let values: unknown;
  try {
    values = JSON.parse(seriesKey);
  } catch {
    return '';
  }
  if (!Array.isArray(values) || values.length !== names.length) return '';
  const parts = names.map((n, i) => `${n}="${escapeValue(String(values[i]))}"`);
  if (extra !== '') parts.push(extra);
  return `{${parts.join(',')}}`;
}

function header(name: string, type: string, help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

function counterFamily(name: string, help: string, names: readonly string[], series: Iterable<[string, string]>): string {
  let out = header(name, 'counter', help);
  for (const [key, value] of series) {
    const labels = labelsOf(names, key);
    if (labels !== '') out += `${name}${labels} ${value}\n`;
  }
  return out;
}

/** A histogram whose only bucket is +Inf: proxies report byte sums per edge, not per-request sizes. */
function sumOnlyHistogram(name: string, help: string, totals: MeshTotals, sums: Record<string, string>): string {
  let out = header(name, 'histogram', help);
  for (const [key, count] of Object.entries(totals.req)) {
    const inf = labelsOf(REQUEST_LABELS, key, 'le="+Inf"');
    if (inf === '') continue;
    const labels = labelsOf(REQUEST_LABELS, key);
    out += `${name}_bucket${inf} ${count}\n${name}_sum${labels} ${sums[key] ?? '0'}\n${name}_count${labels} ${count}\n`;
  }
  return out;
}

function durationHistogram(totals: MeshTotals): string {
  const name = 'istio_request_duration_milliseconds';
  let out = header(name, 'histogram', 'Duration of requests in milliseconds (Istio standard metric; mesh-wide, from Redis)');
  for (const [key, count] of Object.entries(totals.req)) {
    const labels = labelsOf(REQUEST_LABELS, key);
    if (labels === '') continue;
    for (let i = 0; i < ISTIO_DURATION_BUCKETS_MS.length; i++) {
      const le = labelsOf(REQUEST_LABELS, key, `le="${ISTIO_DURATION_BUCKETS_MS[i]}"`);
      out += `${name}_bucket${le} ${totals.dur[`${i}\n${key}`] ?? '0'}\n`;
    }
    const sumMs = Number(totals.dur[`sum\n${key}`] ?? '0') / 1000;
    out += `${name}_bucket${labelsOf(REQUEST_LABELS, key, 'le="+Inf"')} ${count}\n${name}_sum${labels} ${sumMs}\n${name}_count${labels} ${count}\n`;
  }
  return out;
}

function tcpSeries(tcp: Record<string, string>, counter: string): [string, string][] {
  const prefix = `${counter}\n`;
  return Object.entries(tcp)
    .filter(([f]) => f.startsWith(prefix))
    .map(([f, v]) => [f.slice(prefix.length), v]);
}

/** Istio's standard request and TCP metrics in the Prometheus text format (0.0.4). */
export function renderIstioMetrics(totals: MeshTotals): string {
  return [
    counterFamily('istio_requests_total', 'Requests (Istio standard metric; mesh-wide, from Redis)', REQUEST_LABELS, Object.entries(totals.req)),
    durationHistogram(totals),
    sumOnlyHistogram('istio_request_bytes', 'Request body sizes in bytes (sums only: +Inf bucket)', totals, totals.reqb),
    sumOnlyHistogram('istio_response_bytes', 'Response body sizes in bytes (sums only: +Inf bucket)', totals, totals.respb),
    counterFamily('istio_tcp_sent_bytes_total', 'Bytes sent over TCP connections', TCP_LABELS, tcpSeries(totals.tcp, 'sent')),
    counterFamily('istio_tcp_received_bytes_total', 'Bytes received over TCP connections', TCP_LABELS, tcpSeries(totals.tcp, 'received')),
    counterFamily('istio_tcp_connections_opened_total', 'TCP connections opened', TCP_LABELS, tcpSeries(totals.tcp, 'opened')),
    counterFamily('istio_tcp_connections_closed_total', 'TCP connections closed', TCP_LABELS, tcpSeries(totals.tcp, 'closed')),
  ].join('');
}
