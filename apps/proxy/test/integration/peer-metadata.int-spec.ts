import { request } from 'undici';
import { bootstrap, catchAllTo, client, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/**
 * Peer metadata between two sidecars (Istio's metadata exchange): productpage's outbound proxy names
 * its workload on the request, reviews' inbound proxy names its own on the response, and both sides'
 * istio_requests_total carry source_workload and destination_workload — while neither the app nor the
 * client ever sees the header, and a client cannot pass a forged one through.
 */
describe('peer metadata between a pair of proxies', () => {
  let app: Upstream;
  let reviews: RunningProxy;
  let productpage: RunningProxy;
  const REVIEWS = 'outbound|9080|v1|reviews.default.svc.cluster.local';

  beforeAll(async () => {
    app = await startUpstream('reviews-app');
    // Pilot's inbound cluster names no service (Istio's `inbound|9080||`): it is the local one (--service).
    const inbound = bootstrap(httpListener('in', catchAllTo('inbound|9080||'), { direction: 'INBOUND' }), cluster('"inbound|9080||"', [app.port]));
    reviews = await startProxy(inbound, { workload: 'reviews-v1', service: 'reviews' });
    productpage = await startProxy(bootstrap(httpListener('out', catchAllTo(REVIEWS)), cluster(`"${REVIEWS}"`, [reviews.port('in')])), { workload: 'productpage-v1' });
  });
  afterAll(async () => {
    await productpage?.close();
    await reviews?.close();
    await app?.close();
  });

  const metrics = async (p: RunningProxy): Promise<string> => (await request(`http://127.0.0.1:${p.adminPort}/stats/prometheus`, { dispatcher: client })).body.text();
  const series = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('istio_requests_total{'));

  it('names both workloads on both sides, and the header reaches neither the app nor the client', async () => {
    const extras: Record<string, string>[] = [{}, { 'x-weft-peer': 'admin.kube-system' }];
    for (const extra of extras) {
      const res = await get(productpage.port('out'), '/reviews/1', { host: 'reviews:9080', ...extra });
      expect(res.status).toBe(200);
      expect(res.headers['x-weft-peer']).toBeUndefined();
    }
    expect(app.seen).toHaveLength(2);
    for (const seen of app.seen) expect(seen.headers['x-weft-peer']).toBeUndefined();

    const source = series(await metrics(productpage));
    expect(source).toHaveLength(1);
    expect(source[0]).toContain('reporter="source"');
    expect(source[0]).toContain('source_workload="productpage-v1",source_workload_namespace="default",destination_workload="reviews-v1",destination_workload_namespace="default"');
    expect(source[0]).toMatch(/} 2$/);

    const destination = series(await metrics(reviews));
    expect(destination).toHaveLength(1);
    expect(destination[0]).toContain('reporter="destination"');
    // The forged header of the second request was replaced by productpage's own: one series, 2 requests.
    expect(destination[0]).toContain('source_workload="productpage-v1",source_workload_namespace="default",destination_workload="reviews-v1",destination_workload_namespace="default"');
    expect(destination[0]).toContain('destination_service="reviews.default.svc.cluster.local",destination_service_name="reviews",destination_service_namespace="default"');
    expect(destination[0]).toMatch(/} 2$/);
  });

  it('a caller without peer metadata (not a mesh proxy) is unknown, and gets no peer header back', async () => {
    const before = series(await metrics(reviews)).filter((l) => l.includes('source_workload="unknown"'));
    expect(before).toHaveLength(0);
    const res = await get(reviews.port('in'), '/direct', { host: 'reviews:9080' });
    expect(res.status).toBe(200);
    expect(res.headers['x-weft-peer']).toBeUndefined();
    const unknown = series(await metrics(reviews)).filter((l) => l.includes('source_workload="unknown"'));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toContain('source_workload_namespace="unknown",destination_workload="reviews-v1"');
  });
});
