import { encodeLatency, newLatencyHistogram } from '@weft/api';
import { windowEdgeId } from './edge-key';
import { edgeStats, serviceStats, topology } from './window-stats';
import { zeroCounters, type EdgeCounters, type WindowData } from './window.repository';

const src = (workload: string) => ({ workload, namespace: 'default', principal: null });
const dst = (service: string) => ({ service, workload: null, namespace: 'default', principal: null });

function hist(...values: number[]): string {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return encodeLatency(h);
}

function data(edges: [string, Partial<EdgeCounters>, string[]][]): WindowData {
  const counters = new Map(edges.map(([id, c]) => [id, { ...zeroCounters(), ...c }]));
  const histograms = new Map(edges.map(([id, , h]) => [id, h]));
  return { window: '1m', seconds: 60, counters, histograms };
}

describe('window stats', () => {
  const pd = windowEdgeId('destination', src('productpage'), dst('reviews'));
  const ps = windowEdgeId('source', src('productpage'), dst('reviews'));
  const ext = windowEdgeId('source', src('reviews'), dst('api.example.com'));

  it("prefers the destination proxy's figures for a pair both proxies reported", () => {
    const d = data([
      [ps, { req: 12, fail: 2 }, [hist(1, 2)]],
      [pd, { req: 10, fail: 1 }, [hist(5, 5, 5, 5, 5, 5, 5, 5, 5, 100)]],
      [ext, { req: 6 }, [hist(3)]],
    ]);
    const stats = serviceStats(d);
    expect(stats.map((s) => [s.service, s.requests])).toEqual([
      ['api.example.com', 6],
      ['reviews', 10],
    ]);
    const reviews = stats[1];
    expect(reviews?.rps).toBeCloseTo(10 / 60, 3);
    expect(reviews?.successRate).toBe(0.9);
    expect(reviews?.latencyMs).toEqual({ p50: 5, p95: 100, p99: 100 });
    expect(edgeStats(d).map((e) => [e.source.workload, e.reporter])).toEqual([
      ['productpage', 'destination'],
      ['reviews', 'source'],
    ]);
  });

  it('merges histograms of every bucket and replica of an edge', () => {
    const d = data([[pd, { req: 4 }, [hist(1, 1), hist(9, 9)]]]);
    expect(serviceStats(d)[0]?.latencyMs).toEqual({ p50: 1, p95: 9, p99: 9 });
  });

  it('has no rates or percentiles without requests (TCP only)', () => {
    const s = serviceStats(data([[pd, { tcpO: 2, tcpS: 10 }, []]]))[0];
    expect(s).toMatchObject({ requests: 0, successRate: null, latencyMs: null, tcp: { connectionsOpened: 2, sentBytes: 10, connectionsClosed: 0, receivedBytes: 0 } });
  });

  it('builds a topology of calling workloads and called services', () => {
    const t = topology(data([[pd, { req: 1 }, [hist(1)]]]));
    expect(t.nodes.map((n) => [n.id, n.requests])).toEqual([
      ['service:default/reviews', 1],
      ['workload:default/productpage', 1],
    ]);
    expect(t.edges).toEqual([expect.objectContaining({ source: 'workload:default/productpage', target: 'service:default/reviews', requests: 1 })]);
  });
});
