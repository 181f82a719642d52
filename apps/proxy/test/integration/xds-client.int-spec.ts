import { waitFor } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startUpstream, catchAllTo, type Upstream } from './harness';
import { metricSum } from './prom-text';
import { AdsTestServer, serveMesh, startXdsProxy, type XdsProxy } from './xds-harness';
import { CDS, clusterName, EDS, edsCluster, endpoints, LDS, RDS, VHDS, virtualHost } from './xds-resources';

const REVIEWS = clusterName('reviews');

describe('xDS client: warming, subscriptions, traffic (delta ADS, real sockets)', () => {
  let server: AdsTestServer;
  let v1: Upstream;
  let v2: Upstream;
  let px: XdsProxy;

  beforeAll(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    server = await new AdsTestServer().start();
    serveMesh(server, 'reviews', [v1.port], { vhost: true });
    px = await startXdsProxy(server.address);
  });

  afterAll(async () => {
    await px.close();
    server.stop();
    await v1.close();
    await v2.close();
  });

  it('warms (listener → route → virtual hosts → cluster → endpoints), then serves through the outbound listener', async () => {
    const r = await get(px.outboundPort(), '/reviews/1', { host: 'reviews:9080' });
    expect([r.status, r.body]).toEqual([200, 'v1']);
    expect(px.proxy.ready).toBe(true);
    const node = server.requests.items[0].delta?.node;
    expect(node).toMatchObject({ id: `sidecar~productpage~${process.pid}`, cluster: 'productpage', user_agent_name: 'weft-proxy' });
    expect(node?.metadata?.fields).toMatchObject({ SERVICE: { stringValue: 'productpage' }, LABELS: { stringValue: '{"version":"v1"}' }, OUTBOUND_PORT: { stringValue: '0' } });
  });

  it('subscribes by reference: LDS and VHDS wildcard, RDS/CDS/EDS by the names in use', () => {
    const subscribed = (url: string): string[] => server.ofType(url).flatMap((r) => r.delta?.resource_names_subscribe ?? []);
    expect(subscribed(LDS)).toEqual(['*']);
    expect(subscribed(RDS)).toEqual(['outbound']);
    expect(subscribed(VHDS)).toEqual(['*']);
    expect(subscribed(CDS)).toEqual([REVIEWS]);
    expect(subscribed(EDS)).toEqual([REVIEWS]);
    // Every response was ACKed: a request echoing each nonce, without error_detail.
    expect(server.requests.items.filter((r) => r.delta?.error_detail !== undefined && r.delta?.error_detail !== null)).toEqual([]);
  });

  it('moves traffic when the endpoints change (EDS only: no route recompilation)', async () => {
    const stage = px.proxy.stageFor('outbound');
    server.set(EDS, REVIEWS, endpoints(REVIEWS, [v2.port]));
    await waitFor(async () => (await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body === 'v2', { what: 'traffic on the new endpoint' });
    expect(px.proxy.stageFor('outbound')).toBe(stage);
  });

  it('NACKs an invalid cluster with its field path, keeps the last good one, and traffic continues', async () => {
    server.set(CDS, REVIEWS, edsCluster(REVIEWS, { lb_policy: 'CLUSTER_PROVIDED' }));
    const nack = await waitFor(() => server.ofType(CDS).find((r) => r.delta?.error_detail?.message !== undefined), { what: 'a CDS NACK' });
    expect(nack.delta?.error_detail).toMatchObject({ code: 3 });
    expect(nack.delta?.error_detail?.message).toBe(`Cluster "${REVIEWS}": lb_policy: CLUSTER_PROVIDED is not supported by weft-proxy`);
    expect(nack.delta?.response_nonce).not.toBe('');
    expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body).toBe('v2');
    const metrics = await px.proxy.metricsText();
    expect(metricSum(metrics, 'weft_proxy_xds_nacks_total', 'type="cds"')).toBe(1);
    expect(metricSum(metrics, 'weft_proxy_xds_connected')).toBe(1);
    // A valid version afterwards is taken and ACKed.
    server.set(CDS, REVIEWS, edsCluster(REVIEWS, { lb_policy: 'RANDOM' }));
    await waitFor(() => px.proxy.clustersDump() as { name: string; lbPolicy: string }[], { what: 'clusters' });
    await waitFor(() => (px.proxy.clustersDump() as { name: string; lbPolicy: string }[]).find((c) => c.name === REVIEWS)?.lbPolicy === 'RANDOM', { what: 'the new cluster version' });
    expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body).toBe('v2');
  });

  it('shows the xDS resources with their versions in /config_dump', () => {
    const dump = px.proxy.configDump() as { xds: { connected: boolean; types: Record<string, { subscribed: string[]; resources: Record<string, string>; lastNack: unknown }> } };
    expect(dump.xds.connected).toBe(true);
    expect(Object.keys(dump.xds.types.cds.resources)).toEqual([REVIEWS]);
    expect(dump.xds.types.vhds.subscribed).toEqual(['*']);
    expect(dump.xds.types.cds.lastNack).toMatchObject({ message: expect.stringContaining('lb_policy') });
  });

  it('unsubscribes a cluster no route refers to any more', async () => {
    const other = clusterName('reviews', 9080, 'v2');
    server.set(CDS, other, edsCluster(other));
    server.set(EDS, other, endpoints(other, [v1.port]));
    server.set(VHDS, 'outbound/reviews:9080', virtualHost('reviews', 9080, other));
    await waitFor(async () => (await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body === 'v1', { what: 'traffic on the v2 subset' });
    const unsubscribed = await waitFor(() => server.ofType(CDS).find((r) => (r.delta?.resource_names_unsubscribe ?? []).includes(REVIEWS)), { what: 'CDS unsubscribe' });
    expect(unsubscribed.delta?.resource_names_unsubscribe).toEqual([REVIEWS]);
    await waitFor(() => server.ofType(EDS).some((r) => (r.delta?.resource_names_unsubscribe ?? []).includes(REVIEWS)), { what: 'EDS unsubscribe' });
  });
});

describe('xDS client with a --config bootstrap: static resources stay beside the xDS ones', () => {
  it('serves a static listener and cluster, follows a static RDS listener, and never asks the server for a static cluster', async () => {
    const app = await startUpstream('app');
    const reviews = await startUpstream('reviews');
    const server = await new AdsTestServer().start();
    serveMesh(server, 'reviews', [reviews.port], { vhost: true });
    const staticRoutes = catchAllTo('local-app', 'local');
    const rdsListener = `
  - name: static_out
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: static_out
          rds: { route_config_name: outbound, config_source: { ads: {} } }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }`;
    const yaml = bootstrap(httpListener('static_in', staticRoutes, { direction: 'INBOUND' }) + rdsListener, cluster('local-app', [app.port]));
    const px = await startXdsProxy(server.address, { bootstrapYaml: yaml });
    try {
      const port = px.proxy.ports.get('static_in') ?? 0;
      expect((await get(port, '/', { host: 'anything' })).body).toBe('app');
      expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body).toBe('reviews');
      expect((await get(px.proxy.ports.get('static_out') ?? 0, '/', { host: 'reviews:9080' })).body).toBe('reviews');
      // An xDS virtual host may route to a static cluster; it is never asked for over CDS.
      server.set(VHDS, 'outbound/local:80', virtualHost('local', 80, 'local-app', 'outbound/local:80'));
      await waitFor(async () => (await get(px.outboundPort(), '/', { host: 'local:80' })).body === 'app', { what: 'a vhost routing to the static cluster' });
      expect(server.ofType(CDS).flatMap((r) => r.delta?.resource_names_subscribe ?? [])).not.toContain('local-app');
    } finally {
      await px.close();
      server.stop();
      await app.close();
      await reviews.close();
    }
  });
});
