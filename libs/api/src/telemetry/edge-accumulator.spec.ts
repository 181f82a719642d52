import { EdgeAccumulator, type RequestRecord } from './edge-accumulator';
import { decodeLatency } from './latency-histogram';
import { telemetryReport } from './telemetry-report.schema';

const base: RequestRecord = {
  reporter: 'destination',
  source: { workload: 'productpage-v1', namespace: 'default', principal: 'spiffe://weft.local/ns/default/sa/productpage' },
  destination: { service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal: null },
  protocol: 'http',
  responseCode: 200,
  grpcStatus: null,
  responseFlags: '-',
  requestBytes: 100,
  responseBytes: 1000,
  connectionSecurityPolicy: 'mutual_tls',
  durationMs: 4.2,
};

function accumulator(maxEdges?: number): { acc: EdgeAccumulator; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const acc = new EdgeAccumulator({ proxy: { id: 'p1', workload: 'reviews-v1', namespace: 'default' }, maxEdges, now: () => clock.t });
  return { acc, clock };
}

describe('EdgeAccumulator', () => {
  it('folds records with the same labels into one edge with summed counters and a latency histogram', () => {
    const { acc, clock } = accumulator();
    acc.add(base);
    acc.add({ ...base, durationMs: 12, requestBytes: 5 });
    acc.add({ ...base, responseCode: 503, responseFlags: 'UF' });
    clock.t += 1000;
    const report = acc.flush();
    expect(report.intervalStart).toBe(1_000_000);
    expect(report.intervalEnd).toBe(1_001_000);
    expect(report.edges).toHaveLength(2);
    const ok = report.edges.find((e) => e.responseCode === 200);
    if (ok === undefined) throw new Error('no 200 edge');
    expect(ok).toMatchObject({ requests: 2, requestBytes: 105, responseBytes: 2000 });
    const h = decodeLatency(ok.latency);
    expect(h.totalCount).toBe(2);
    expect(h.maxValue).toBe(12);
    expect(h.minNonZeroValue).toBe(5); // 4.2 ms is recorded as 5 (rounded up)
    expect(telemetryReport.safeParse(report).success).toBe(true);
  });

  it('sends latencies as value lists, or compressed HDR histograms when asked (older telemetry)', () => {
    const lists = accumulator().acc;
    const compressed = new EdgeAccumulator({ proxy: { id: 'p1', workload: 'reviews-v1', namespace: 'default' }, latencyEncoding: 'compressed' });
    for (const acc of [lists, compressed]) for (const durationMs of [4.2, 5, 12]) acc.add({ ...base, durationMs });
    const [list, hdr] = [lists.flush().edges[0]?.latency ?? '', compressed.flush().edges[0]?.latency ?? ''];
    expect(list).toBe('ms:5*2,12');
    expect(hdr).toMatch(/^HISTF/);
    expect(decodeLatency(hdr).getValueAtPercentile(50)).toBe(decodeLatency(list).getValueAtPercentile(50));
  });

  it('starts a new interval after flush and numbers reports of one boot', () => {
    const { acc } = accumulator();
    acc.add(base);
    const first = acc.flush();
    const second = acc.flush();
    expect(second.edges).toEqual([]);
    expect(second.intervalStart).toBe(first.intervalEnd);
    expect([first.seq, second.seq]).toEqual([0, 1]);
    expect(second.boot).toBe(first.boot);
  });

  it('bounds memory: records of edges beyond maxEdges are dropped and counted', () => {
    const { acc } = accumulator(2);
    expect(acc.add({ ...base, responseCode: 200 })).toBe(true);
    expect(acc.add({ ...base, responseCode: 201 })).toBe(true);
    expect(acc.add({ ...base, responseCode: 202 })).toBe(false);
    expect(acc.add({ ...base, responseCode: 200 })).toBe(true);
    acc.countDropped('spans', 3);
    const report = acc.flush();
    expect(report.edges.reduce((n, e) => n + e.requests, 0)).toBe(3);
    expect(report.dropped).toEqual({ records: 1, spans: 3, logs: 0 });
    expect(acc.flush().dropped).toEqual({ records: 0, spans: 0, logs: 0 });
  });

  it('sums TCP activity per connection pair', () => {
    const { acc } = accumulator();
    const t = { reporter: 'source' as const, source: base.source, destination: base.destination, connectionSecurityPolicy: 'none' as const };
    acc.addTcp({ ...t, opened: true, closed: false, sentBytes: 10, receivedBytes: 0 });
    acc.addTcp({ ...t, opened: false, closed: true, sentBytes: 5, receivedBytes: 7 });
    expect(acc.flush().tcp).toEqual([{ ...t, connectionsOpened: 1, connectionsClosed: 1, sentBytes: 15, receivedBytes: 7 }]);
  });
});
