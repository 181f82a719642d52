import { EdgeAccumulator, decodeLatency, type RequestRecord } from '@weft/api';
import { TelemetryKeys } from '../app/telemetry-keys';
import { BucketHistograms } from './bucket-histograms';
import { addIstioBuckets } from '../metrics/istio-labels';
import { IngestBatch, SERIES, SERIES_SLOTS } from './ingest-batch';
import { ReportFolder } from './report-folder';
import { SAMPLE_RECORD } from './sample-record.fixture';
import { SeriesGuard } from './series-guard';

const keys = new TelemetryKeys('t:');
const rec: RequestRecord = SAMPLE_RECORD;

function report(now: number, n: number, code = 200, latencyEncoding?: 'list' | 'compressed') {
  const acc = new EdgeAccumulator({ proxy: { id: 'p', workload: 'b-v1', namespace: 'ns' }, now: () => now, latencyEncoding });
  for (let i = 0; i < n; i++) acc.add({ ...rec, responseCode: code });
  return acc.flush();
}

/** A report of edges 200 and 503 with latencies spread over Istio buckets (2 ms … 40 s). */
function spreadReport(now: number, latencyEncoding: 'list' | 'compressed') {
  const acc = new EdgeAccumulator({ proxy: { id: 'p', workload: 'b-v1', namespace: 'ns' }, now: () => now, latencyEncoding });
  for (const ms of [2, 2, 7, 30, 99, 100, 101, 2047, 2500, 40_000]) {
    acc.add({ ...rec, durationMs: ms });
    acc.add({ ...rec, responseCode: 503, durationMs: ms / 2 });
  }
  return acc.flush();
}

describe('ReportFolder', () => {
  const now = 1_700_000_000_000;

  it('folds reports into window counters, totals and loss accounting without I/O', () => {
    const hists = new BucketHistograms('r1');
    const folder = new ReportFolder(keys, 'cluster.local', hists);
    const batch = new IngestBatch(now);
    expect(folder.fold(report(now, 3), batch, now)).toEqual({ records: 3, inWindow: true });
    folder.fold(report(now, 2, 503), batch, now);
    const edge = batch.windows.get(keys.bucketCounters(1_700_000_000))?.get('["destination","ns","a","ns","b"]');
    expect(edge?.slice(0, 4)).toEqual([5, 2, 5, 10]); // req, fail, request bytes, response bytes
    const series = [...batch.series.values()];
    expect(series.map((s) => s[0])).toEqual([3, 2]);
    expect(series[0]?.slice(3, 6)).toEqual([9000, 0, 3]); // duration sum µs; le=1: 0; le=5: 3
    expect(batch.records).toBe(5);
    expect(hists.drain()).toHaveLength(1);
    expect(hists.drain()).toHaveLength(0);
  });

  it('rejects a whole report whose histogram disagrees with its request count', () => {
    const folder = new ReportFolder(keys, 'cluster.local', new BucketHistograms('r1'));
    const bad = report(now, 3);
    const first = bad.edges[0];
    if (first === undefined) throw new Error('no edge');
    bad.edges = [...bad.edges, { ...first, requests: 4 }];
    const batch = new IngestBatch(now);
    expect(() => folder.fold(bad, batch, now)).toThrow(expect.objectContaining({ code: 'WEFT_ERR_TELEMETRY_BAD_HISTOGRAM' }));
    expect(batch.empty).toBe(true);
  });

  it('folds the compressed histograms of older proxies exactly as value lists', () => {
    const fold = (encoding: 'list' | 'compressed') => {
      const hists = new BucketHistograms('r1');
      const batch = new IngestBatch(now);
      new ReportFolder(keys, 'cluster.local', hists).fold(spreadReport(now, encoding), batch, now);
      return { series: [...batch.series], windows: [...(batch.windows.get(keys.bucketCounters(1_700_000_000)) ?? [])], hists: hists.drain() };
    };
    const list = fold('list');
    expect(spreadReport(now, 'list').edges[0]?.latency).toMatch(/^ms:/);
    expect(list).toEqual(fold('compressed'));
    // … and as the histogram path (addIstioBuckets) did: duration sum (µs) and every Istio bucket
    const slots = new Array<number>(SERIES_SLOTS).fill(0);
    const sumMs = addIstioBuckets(decodeLatency(spreadReport(now, 'compressed').edges[0]?.latency ?? ''), slots, SERIES.bucket0);
    expect(list.series[0]?.[1].slice(SERIES.sumUs)).toEqual([Math.round(sumMs * 1000), ...slots.slice(SERIES.bucket0)]);
    expect(list.series[0]?.[1].slice(SERIES.sumUs, SERIES.sumUs + 6)).toEqual([44_905_000, 0, 2, 3, 3, 4]); // le=1, 5, 10, 25, 50
  });

  it.each([
    ['a list whose values are not ascending', 'ms:5,3', /edges\.0\.latency: not an HDR histogram \(value 3 after 5/],
    ['a list that is not one', 'ms:5,', /trailing comma/],
    ['neither form', 'not-a-histogram', /edges\.0\.latency: not an HDR histogram/],
  ])('rejects a whole report with %s, before folding anything', (_what, latency, reason) => {
    const folder = new ReportFolder(keys, 'cluster.local', new BucketHistograms('r1'));
    const r = report(now, 2);
    const first = r.edges[0];
    if (first === undefined) throw new Error('no edge');
    r.edges = [{ ...first, responseCode: 201 }, { ...first, latency }].reverse();
    const batch = new IngestBatch(now);
    expect(() => folder.fold(r, batch, now)).toThrow(reason);
    expect(batch.empty).toBe(true);
  });

  it('leaves refused series out of the totals but keeps them in the windows', () => {
    const folder = new ReportFolder(keys, 'cluster.local', new BucketHistograms('r1'), new SeriesGuard(1));
    const batch = new IngestBatch(now);
    folder.fold(report(now, 3), batch, now);
    folder.fold(report(now, 2, 503), batch, now);
    expect(batch.series.size).toBe(1);
    expect(batch.refusedSeries).toBe(2);
    expect(batch.windows.get(keys.bucketCounters(1_700_000_000))?.get('["destination","ns","a","ns","b"]')?.[0]).toBe(5);
  });

  it('keeps an out-of-window report in the totals only', () => {
    const batch = new IngestBatch(now);
    const r = new ReportFolder(keys, 'cluster.local', new BucketHistograms('r1')).fold(report(now - 2 * 3600_000, 1), batch, now);
    expect(r.inWindow).toBe(false);
    expect(batch.windows.size).toBe(0);
    expect(batch.series.size).toBe(1);
  });

  it('a failed batch absorbs into the next one (counters add, report numbers keep the max)', () => {
    const a = new IngestBatch(now);
    a.add('k', 'f', 2);
    a.windowEdge('w', 'e')[0] = 4;
    a.noteSeq('p', 4);
    const b = new IngestBatch(now);
    b.add('k', 'f', 3);
    b.windowEdge('w', 'e')[0] = 1;
    b.noteSeq('p', 7);
    b.absorb(a);
    expect(b.counters.get('k')?.get('f')).toBe(5);
    expect(b.windowEdge('w', 'e')[0]).toBe(5);
    expect(b.seq.get('p')).toEqual({ n: 2, max: 7 });
  });
});
