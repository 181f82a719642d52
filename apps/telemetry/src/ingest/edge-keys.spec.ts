import type { ReportEdge } from '@weft/api';
import { requestSeriesKey } from '../metrics/istio-labels';
import { windowEdgeId } from '../windows/edge-key';
import { EdgeKeyCache } from './edge-keys';
import { SAMPLE_LABELS } from './sample-record.fixture';

const edge: ReportEdge = { ...SAMPLE_LABELS, requests: 1, requestBytes: 0, responseBytes: 0, latency: 'ms:1' };

describe('EdgeKeyCache', () => {
  it('gives the window id and series key of the edge, the same instances for the same labels', () => {
    const cache = new EdgeKeyCache('cluster.local');
    const keys = cache.get(edge);
    expect(keys).toEqual({ windowId: windowEdgeId(edge.reporter, edge.source, edge.destination), seriesKey: requestSeriesKey(edge, 'cluster.local') });
    expect(cache.get({ ...edge, requests: 7, latency: 'ms:3*7' })).toBe(keys);
  });

  it.each<[string, ReportEdge, ReportEdge]>([
    ['a null principal and an empty one', edge, { ...edge, source: { ...edge.source, principal: '' } }],
    ['labels that concatenate alike', { ...edge, source: { ...edge.source, namespace: 'n', workload: 'sa' } }, { ...edge, source: { ...edge.source, namespace: 'ns', workload: 'a' } }],
    ['a label holding a separator', { ...edge, source: { ...edge.source, workload: 'a1:x' } }, { ...edge, source: { ...edge.source, workload: 'a' }, destination: { ...edge.destination, namespace: 'x' } }],
    ['another gRPC status', { ...edge, grpcStatus: 2 }, { ...edge, grpcStatus: null }],
    ['the other reporter', edge, { ...edge, reporter: 'source' }],
  ])('keeps apart %s', (_what, a, b) => {
    const cache = new EdgeKeyCache('cluster.local');
    const [ka, kb] = [cache.get(a), cache.get(b)];
    expect(ka.seriesKey).toBe(requestSeriesKey(a, 'cluster.local'));
    expect(kb.seriesKey).toBe(requestSeriesKey(b, 'cluster.local'));
    expect(ka.seriesKey).not.toBe(kb.seriesKey);
  });
});
