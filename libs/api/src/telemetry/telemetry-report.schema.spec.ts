import { accessLogBatch } from './access-log.schema';
import { telemetryLogsSubject, telemetryReportsSubject, telemetrySpansSubject } from './telemetry-subjects';
import { telemetryReport } from './telemetry-report.schema';
import { zipkinSpans } from './zipkin-span.schema';

const edge = {
  source: { workload: 'a', namespace: 'ns', principal: null },
  destination: { service: 'b', workload: null, namespace: 'ns', principal: null },
  protocol: 'http',
  responseCode: 200,
  grpcStatus: null,
  responseFlags: '-',
  requests: 1,
  requestBytes: 0,
  responseBytes: 0,
  connectionSecurityPolicy: 'none',
  latency: 'HISTFAAAABx4nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEAEAoBPQ==',
};
const report = { v: 1, proxy: { id: 'p', workload: 'a', namespace: 'ns' }, intervalStart: 1, intervalEnd: 2, edges: [edge] };

describe('telemetry contract', () => {
  it('accepts a minimal v1 report and fills the defaults', () => {
    const parsed = telemetryReport.parse(report);
    expect(parsed.edges[0]?.reporter).toBe('destination');
    expect(parsed.tcp).toEqual([]);
    expect(parsed.dropped).toEqual({ records: 0, spans: 0, logs: 0 });
  });

  it.each([
    ['another version', { ...report, v: 2 }, 'v'],
    ['zero requests', { ...report, edges: [{ ...edge, requests: 0 }] }, 'edges.0.requests'],
    ['an unknown protocol', { ...report, edges: [{ ...edge, protocol: 'udp' }] }, 'edges.0.protocol'],
    ['a missing destination service', { ...report, edges: [{ ...edge, destination: { ...edge.destination, service: '' } }] }, 'edges.0.destination.service'],
  ])('rejects %s', (_what, input, path) => {
    const r = telemetryReport.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('validates Zipkin v2 spans and lower-cases ids', () => {
    const spans = zipkinSpans.parse([{ traceId: 'ABCDEF0123456789', id: '0123456789ABCDEF', localEndpoint: { serviceName: 'x' } }]);
    expect(spans[0]?.traceId).toBe('abcdef0123456789');
    expect(zipkinSpans.safeParse([{ traceId: 'xyz', id: '1' }]).success).toBe(false);
  });

  it('validates access-log batches', () => {
    const rec = { time: 1, traceId: null, requestId: null, source: edge.source, destination: edge.destination, method: 'GET', path: '/', status: 200, flags: '-', durationMs: 1.5 };
    expect(accessLogBatch.safeParse([rec]).success).toBe(true);
    expect(accessLogBatch.safeParse([{ ...rec, status: 'ok' }]).success).toBe(false);
  });

  it('prefixes subjects', () => {
    expect(telemetryReportsSubject('t1.')).toBe('t1.weft.telemetry.reports');
    expect(telemetrySpansSubject()).toBe('weft.telemetry.spans');
    expect(telemetryLogsSubject('x.')).toBe('x.weft.telemetry.logs');
  });
});
