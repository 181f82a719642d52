import { RequestSeries, labelText, renderRequestSeries } from './request-series';

describe('Istio request series rendering', () => {
  it('renders counters and cumulative histogram buckets with escaped labels', () => {
    const s = new RequestSeries(labelText({ response_code: '200', destination_service: 'a"b\\c' }));
    s.record(0.4, 5, 150);
    s.record(7, 5, 2_000_000_000);
    const text = renderRequestSeries([s]);
    const labels = 'response_code="200",destination_service="a\\"b\\\\c"';
    expect(text).toContain(`istio_requests_total{${labels}} 2`);
    expect(text).toContain(`istio_request_duration_milliseconds_bucket{${labels},le="0.5"} 1`);
    expect(text).toContain(`istio_request_duration_milliseconds_bucket{${labels},le="5"} 1`);
    expect(text).toContain(`istio_request_duration_milliseconds_bucket{${labels},le="10"} 2`);
    expect(text).toContain(`istio_request_duration_milliseconds_sum{${labels}} 7.4`);
    // Above the largest bucket: only +Inf and the count include it.
    expect(text).toContain(`istio_response_bytes_bucket{${labels},le="100000000"} 1`);
    expect(text).toContain(`istio_response_bytes_bucket{${labels},le="+Inf"} 2`);
    expect(text).toMatch(/^# TYPE istio_request_bytes histogram$/m);
  });
});
