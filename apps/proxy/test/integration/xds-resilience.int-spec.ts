import { waitFor } from '@weft/testing';
import { get, startUpstream, type Upstream } from './harness';
import { metricSum } from './prom-text';
import { AdsTestServer, serveMesh, startXdsProxy, type XdsProxy } from './xds-harness';
import { CDS, clusterName, EDS, edsCluster, endpoints, LDS, outboundListener, RDS } from './xds-resources';

const REVIEWS = clusterName('reviews');

describe('xDS client: the server goes away and comes back (delta)', () => {
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

  it('keeps serving its config while the server is gone', async () => {
    server.stop();
    await waitFor(async () => metricSum(await px.proxy.metricsText(), 'weft_proxy_xds_connected') === 0, { what: 'the disconnect' });
    const rs = await Promise.all(Array.from({ length: 10 }, () => get(px.outboundPort(), '/', { host: 'reviews:9080' })));
    expect(rs.map((r) => r.body)).toEqual(Array.from({ length: 10 }, () => 'v1'));
  });

  it('resyncs on reconnect with initial_resource_versions, receiving only what changed', async () => {
    const held = px.client.store.versions('cluster');
    const stage = px.proxy.stageFor('outbound');
    const streamsBefore = Math.max(...server.requests.items.map((r) => r.stream));
    server.set(EDS, REVIEWS, endpoints(REVIEWS, [v2.port]));
    await server.start(server.port);
    await waitFor(async () => (await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body === 'v2', { what: 'the change made while disconnected' });
    const resync = server.requests.items.filter((r) => r.stream > streamsBefore);
    const first = (url: string) => resync.find((r) => r.delta?.type_url === url)?.delta;
    expect(first(CDS)).toMatchObject({ resource_names_subscribe: [REVIEWS], initial_resource_versions: held });
    expect(Object.keys(first(LDS)?.initial_resource_versions ?? {})).toEqual(['outbound']);
    expect(resync[0].delta?.node?.id).toBe(`sidecar~productpage~${process.pid}`);
    // Nothing was dropped or rebuilt: the outbound listener keeps its route stage (EDS-only change).
    expect(px.proxy.stageFor('outbound')).toBe(stage);
    expect(metricSum(await px.proxy.metricsText(), 'weft_proxy_xds_connected')).toBe(1);
  });
});

describe('xDS client over state-of-the-world ADS (--xds-protocol sotw)', () => {
  let server: AdsTestServer;
  let v1: Upstream;
  let v2: Upstream;
  let px: XdsProxy;
  const inlineRoutes = (cluster: string) => ({
    name: 'outbound',
    virtual_hosts: [{ name: 'reviews', domains: ['reviews:9080'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
  });

  beforeAll(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    server = await new AdsTestServer().start();
    server.set(CDS, REVIEWS, edsCluster(REVIEWS));
    server.set(EDS, REVIEWS, endpoints(REVIEWS, [v1.port]));
    server.set(RDS, 'outbound', inlineRoutes(REVIEWS));
    server.set(LDS, 'outbound', outboundListener());
    px = await startXdsProxy(server.address, { protocol: 'sotw' });
  });

  afterAll(async () => {
    await px.close();
    server.stop();
    await v1.close();
    await v2.close();
  });

  it('warms and serves; requests carry full name lists and ACK the version they accept', async () => {
    expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body).toBe('v1');
    const cds = server.ofType(CDS).map((r) => r.sotw);
    expect(cds[0]).toMatchObject({ resource_names: [REVIEWS], version_info: '' });
    expect(cds[0]?.node?.user_agent_name).toBeUndefined();
    expect(server.requests.items[0].sotw?.node?.user_agent_name).toBe('weft-proxy');
    await waitFor(() => server.ofType(CDS).some((r) => (r.sotw?.version_info ?? '') !== '' && r.sotw?.response_nonce !== ''), { what: 'the CDS ACK' });
    expect(server.ofType(LDS)[0]?.sotw?.resource_names ?? []).toEqual([]);
  });

  it('moves traffic on an EDS update, and NACKs a bad cluster keeping the ACKed version_info', async () => {
    server.set(EDS, REVIEWS, endpoints(REVIEWS, [v2.port]));
    await waitFor(async () => (await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body === 'v2', { what: 'the new endpoint' });
    const acked = [...server.ofType(CDS)].reverse().find((r) => (r.sotw?.version_info ?? '') !== '')?.sotw?.version_info;
    server.set(CDS, REVIEWS, edsCluster(REVIEWS, { connect_timeout: { seconds: -1 } }));
    const nack = await waitFor(() => server.ofType(CDS).find((r) => r.sotw?.error_detail?.message !== undefined)?.sotw, { what: 'the CDS NACK' });
    expect(nack.version_info).toBe(acked);
    expect(nack.error_detail?.message).toMatch(new RegExp(`^Cluster "${REVIEWS.replace(/\|/g, '\\|')}": connect_timeout: `));
    expect((await get(px.outboundPort(), '/', { host: 'reviews:9080' })).body).toBe('v2');
  });

  it('removes a cluster the server stops sending (SotW CDS carries every resource)', async () => {
    server.set(RDS, 'outbound', { name: 'outbound', virtual_hosts: [{ name: 'd', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 204 } }] }] });
    await waitFor(() => server.ofType(CDS).some((r) => (r.sotw?.resource_names ?? []).length === 0), { what: 'CDS names emptied' });
    await waitFor(() => px.proxy.clustersDump() as unknown[], { what: 'clusters' });
    await waitFor(() => (px.proxy.clustersDump() as unknown[]).length === 0, { what: 'the cluster to go' });
    expect((await get(px.outboundPort(), '/', { host: 'any' })).status).toBe(204);
  });
});
