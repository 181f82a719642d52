import { EdgeAccumulator, type RequestRecord } from '@weft/api';
import { TelemetryKeys } from '../app/telemetry-keys';
import { BucketHistograms } from './bucket-histograms';
import { IngestBatch } from './ingest-batch';
import { ReportFolder } from './report-folder';

const keys = new TelemetryKeys('t:');
const rec: RequestRecord = {
  reporter: 'destination',
  source: { workload: 'a', namespace: 'ns', principal: null },
  destination: { service: 'b', workload: 'b-v1', namespace: 'ns', principal: null },
  protocol: 'http',
  responseCode: 200,
  grpcStatus: null,
  responseFlags: '-',
  requestBytes: 1,
  responseBytes: 2,
  connectionSecurityPolicy: 'none',
  durationMs: 3,
};

function report(now: number, n: number, code = 200) {
  const acc = new EdgeAccumulator({ proxy: { id: 'p', workload: 'b-v1', namespace: 'ns' }, now: () => now });
  for (let i = 0; i < n; i++) acc.add({ ...rec, responseCode: code });
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
    const window = batch.counters.get(keys.bucketCounters(1_700_000_000));
    const id = '["destination","ns","a","ns","b"]';
    expect(window?.get(`req\n${id}`)).toBe(5);
    expect(window?.get(`fail\n${id}`)).toBe(2);
    expect([...(batch.counters.get(keys.totals('req'))?.values() ?? [])]).toEqual([3, 2]);
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

  it('keeps an out-of-window report in the totals only', () => {
    const batch = new IngestBatch(now);
    const r = new ReportFolder(keys, 'cluster.local', new BucketHistograms('r1')).fold(report(now - 2 * 3600_000, 1), batch, now);
    expect(r.inWindow).toBe(false);
    expect(batch.expiring.size).toBe(0);
    expect(batch.counters.has(keys.totals('req'))).toBe(true);
  });

  it('a failed batch absorbs into the next one (counters add, report numbers keep the max)', () => {
    const a = new IngestBatch(now);
    a.add('k', 'f', 2);
    a.noteSeq('p', 4);
    const b = new IngestBatch(now);
    b.add('k', 'f', 3);
    b.noteSeq('p', 7);
    b.absorb(a);
    expect(b.counters.get('k')?.get('f')).toBe(5);
    expect(b.seq.get('p')).toEqual({ n: 2, max: 7 });
  });
});
