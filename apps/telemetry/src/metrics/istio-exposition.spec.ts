import { newLatencyHistogram } from '@weft/api';
import { renderIstioMetrics } from './istio-exposition';
import { ISTIO_DURATION_BUCKETS_MS, istioBucketCounts } from './istio-labels';

describe('Istio exposition', () => {
  it('counts a histogram into cumulative Istio buckets (le is inclusive)', () => {
    const h = newLatencyHistogram();
    for (const v of [0, 1, 5, 6, 3000, 4_000_000]) h.recordValue(v);
    const counts = istioBucketCounts(h);
    expect(counts.slice(0, 3)).toEqual([2, 3, 4]);
    expect(counts[ISTIO_DURATION_BUCKETS_MS.indexOf(5000)]).toBe(5);
    expect(counts[counts.length - 1]).toBe(5); // 4 000 000 ms is only in +Inf
  });

  it('renders counters and histograms with escaped label values', () => {
    const labels = JSON.stringify(['destination', 'a"b', 'ns', 'unknown', 'svc.ns.svc.cluster.local', 'svc', 'ns', 'unknown', 'unknown', 'http', '200', '', '-', 'none']);
    const dur: Record<string, string> = { [`sum\n${labels}`]: '2500' };
    ISTIO_DURATION_BUCKETS_MS.forEach((_, i) => (dur[`${i}\n${labels}`] = '2'));
    const text = renderIstioMetrics({ req: { [labels]: '2' }, dur, reqb: { [labels]: '30' }, respb: {}, tcp: {} });
    expect(text).toContain('istio_requests_total{reporter="destination",source_workload="a\\"b",');
    expect(text).toContain('response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="none"} 2');
    expect(text).toMatch(/istio_request_duration_milliseconds_bucket\{.*le="\+Inf"\} 2/);
    expect(text).toMatch(/istio_request_duration_milliseconds_sum\{.*\} 2.5\n/);
    expect(text).toMatch(/istio_request_bytes_sum\{.*\} 30\n/);
    expect(text).toMatch(/istio_response_bytes_sum\{.*\} 0\n/);
    expect(text).toContain('# TYPE istio_tcp_connections_opened_total counter');
  });
});
