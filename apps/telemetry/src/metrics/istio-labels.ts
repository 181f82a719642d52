import type { JsHistogram, Histogram } from 'hdr-histogram-js';
import type { DestinationRef, ReportEdge, ReportTcpEdge, SourceRef } from '@weft/api';

/** Istio's standard label set of request metrics, in the order values are stored. */
export const REQUEST_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_principal',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

/** Istio's label set of TCP metrics (request_protocol is always `tcp`). */
export const TCP_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_principal',
  'request_protocol',
  'connection_security_policy',
] as const;

/** Istio's default buckets of `istio_request_duration_milliseconds`. */
export const ISTIO_DURATION_BUCKETS_MS = [
  1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

function peerLabels(reporter: string, s: SourceRef, d: DestinationRef, domain: string): string[] {
  return [
    reporter,
    s.workload,
    s.namespace,
    s.principal ?? 'unknown',
    `${d.service}.${d.namespace}.${domain}`,
    d.service,
    d.namespace,
    d.workload ?? 'unknown',
    d.principal ?? 'unknown',
  ];
}

/** Label values of an edge's request series (in {@link REQUEST_LABELS} order), as one stable string. */
export function requestSeriesKey(e: ReportEdge, domain: string): string {
  const values = peerLabels(e.reporter, e.source, e.destination, domain);
  values.push(e.protocol, String(e.responseCode), e.grpcStatus === null ? '' : String(e.grpcStatus), e.responseFlags, e.connectionSecurityPolicy);
  return JSON.stringify(values);
}

export function tcpSeriesKey(t: ReportTcpEdge, domain: string): string {
  const values = peerLabels(t.reporter, t.source, t.destination, domain);
  values.push('tcp', t.connectionSecurityPolicy);
  return JSON.stringify(values);
}

/**
 * Adds a latency histogram into series slots: the cumulative count at each Istio bucket bound (`le`)
 * from `offset` on, and returns the sum of its values (ms). Values are whole milliseconds; above
 * 2048 ms HDR's 3 significant digits make a bound exact to 0.1 %.
 */
export function addIstioBuckets(h: Histogram, slots: number[], offset: number): number {
  const js = h as JsHistogram;
  const it = js.recordedValuesIterator;
  const last = ISTIO_DURATION_BUCKETS_MS.length - 1;
  let sum = 0;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const value = js.lowestEquivalentValue(v.valueIteratedTo);
    const n = v.countAddedInThisIterationStep;
    sum += js.medianEquivalentValue(v.valueIteratedTo) * n;
    for (let i = last; i >= 0 && value <= (ISTIO_DURATION_BUCKETS_MS[i] as number); i--) slots[offset + i] = (slots[offset + i] as number) + n;
  }
  return sum;
}

/** Cumulative counts of a latency histogram at each Istio bucket bound, in bucket order. */
export function istioBucketCounts(h: Histogram): number[] {
  const counts = new Array<number>(ISTIO_DURATION_BUCKETS_MS.length).fill(0);
  addIstioBuckets(h, counts, 0);
  return counts;
}
