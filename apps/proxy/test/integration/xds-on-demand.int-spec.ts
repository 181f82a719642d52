import { request } from 'undici';
import { waitFor, withDeadline } from '@weft/testing';
import { client, get, startUpstream, type Upstream } from './harness';
import { metricSum } from './prom-text';
import { AdsTestServer, serveMesh, startXdsProxy, type XdsProxy } from './xds-harness';
import { CDS, clusterName, EDS, edsCluster, endpoints, VHDS, virtualHost } from './xds-resources';

const vhdsSubscriptions = (server: AdsTestServer, name: string): number =>
  server.ofType(VHDS).filter((r) => (r.delta?.resource_names_subscribe ?? []).includes(name)).length;

describe('VHDS on demand: requests for an unknown authority wait for their virtual host', () => {
  let server: AdsTestServer;
  let app: Upstream;
  let px: XdsProxy;

  beforeAll(async () => {
    app = await startUpstream('ratings');
    server = await new AdsTestServer().start();
    serveMesh(server, 'reviews', [app.port], { vhost: true });
    // ratings is known to pilot (cluster and endpoints) but declared in no Sidecar: found on demand.
    const ratings = clusterName('ratings');
    server.set(CDS, ratings, edsCluster(ratings));
    server.set(EDS, ratings, endpoints(ratings, [app.port]));
    server.silent.add('outbound/slow:9080');
    // Pilot takes its time for ratings: the test decides when the virtual host comes.
    server.silent.add('outbound/ratings:9080');
    px = await startXdsProxy(server.address, { onDemandTimeoutMs: 1000 });
  });

  afterAll(async () => {
    await px.close();
    server.stop();
    await app.close();
  });

  it('holds the requests of one authority on one subscription, then serves them once the host and its cluster are warm', async () => {
    const held = Promise.all(['Ratings:9080', 'ratings:9080', 'ratings:9080'].map((host) => get(px.outboundPort(), '/ratings/1', { host })));
    await server.requests.until(() => vhdsSubscriptions(server, 'outbound/ratings:9080') > 0, { what: 'the on-demand VHDS subscription' });
    expect(px.client.onDemand.waitingNames).toEqual(['outbound/ratings:9080']);
    server.set(VHDS, 'outbound/ratings:9080', virtualHost('ratings'));
    const results = await withDeadline(held, 5000, 'the held requests');
    expect(results.map((r) => [r.status, r.body])).toEqual([
      [200, 'ratings'],
      [200, 'ratings'],
      [200, 'ratings'],
    ]);
    expect(vhdsSubscriptions(server, 'outbound/ratings:9080')).toBe(1);
    expect(server.ofType(CDS).some((r) => (r.delta?.resource_names_subscribe ?? []).includes(clusterName('ratings')))).toBe(true);
    // Now it is a virtual host like any other: no hold, no new subscription.
    expect((await get(px.outboundPort(), '/', { host: 'ratings.default.svc.cluster.local:9080' })).status).toBe(200);
    expect(vhdsSubscriptions(server, 'outbound/ratings:9080')).toBe(1);
  });

  it('answers 404 NR, naming the reason, when the server has no such virtual host (removed)', async () => {
    const r = await get(px.outboundPort(), '/x', { host: 'nope:9080' });
    expect(r.status).toBe(404);
    expect(r.headers['x-weft-error']).toBe('WEFT_ERR_PROXY_NO_ROUTE: no route for nope:9080/x (on demand: the xDS server has no virtual host outbound/nope:9080)');
    expect(metricSum(await px.proxy.metricsText(), 'istio_requests_total', 'response_code="404"', 'response_flags="NR"')).toBeGreaterThanOrEqual(1);
    // The name is dropped: a later request asks again.
    await waitFor(() => server.ofType(VHDS).some((r) => (r.delta?.resource_names_unsubscribe ?? []).includes('outbound/nope:9080')), { what: 'the unsubscribe' });
  });

  it('answers 404 NR when the virtual host does not come before the deadline', async () => {
    const r = await get(px.outboundPort(), '/', { host: 'slow:9080' });
    expect(r.status).toBe(404);
    expect(r.headers['x-weft-error']).toBe('WEFT_ERR_PROXY_NO_ROUTE: no route for slow:9080/ (on demand: timed out after 1000 ms waiting for virtual host outbound/slow:9080)');
  });

  it('answers a gRPC request held in vain with grpc-status NOT_FOUND (12)', async () => {
    const res = await request(`http://127.0.0.1:${px.outboundPort()}/pkg.Svc/Call`, {
      method: 'POST',
      headers: { host: 'nope2:9080', 'content-type': 'application/grpc' },
      body: Buffer.alloc(5),
      dispatcher: client,
    });
    await res.body.dump();
    expect(res.headers['grpc-status']).toBe('12');
  });

  it('does not touch requests that match a virtual host', async () => {
    expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).status).toBe(200);
    expect((await get(px.outboundPort(), '/', { host: 'reviews.default:9080' })).status).toBe(200);
    expect(server.ofType(VHDS).flatMap((r) => r.delta?.resource_names_subscribe ?? []).filter((n) => n.includes('reviews'))).toEqual([]);
  });
});

describe('readiness: /ready only after the first complete, warm config', () => {
  it('stays not ready while warming, then serves', async () => {
    const server = await new AdsTestServer().start();
    const app = await startUpstream('details');
    const px = await startXdsProxy(server.address, { waitReady: false });
    try {
      await server.requests.until((rs) => rs.length > 0, { what: 'the first request' });
      expect(px.proxy.ready).toBe(false);
      const admin = await request(`http://127.0.0.1:${px.proxy.adminListeningPort}/ready`);
      expect(admin.statusCode).toBe(503);
      await admin.body.dump();
      serveMesh(server, 'details', [app.port], { vhost: true });
      await withDeadline(px.client.ready, 5000, 'the first config');
      expect(px.proxy.ready).toBe(true);
      expect((await get(px.outboundPort(), '/', { host: 'details:9080' })).body).toBe('details');
    } finally {
      await px.close();
      server.stop();
      await app.close();
    }
  });
});
