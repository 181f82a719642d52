import { waitFor } from '@weft/testing';
import { request } from 'undici';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';
import { metricSum } from './prom-text';

/**
 * STRICT_DNS and LOGICAL_DNS clusters with the system resolver: `localhost` (127.0.0.1 from
 * /etc/hosts, V4_ONLY) in front of a real upstream, and a name that does not exist.
 */
describe('DNS clusters (system resolver, real sockets)', () => {
  let ratings: Upstream;
  let details: Upstream;
  let px: RunningProxy;

  const dnsCluster = (name: string, type: string, hostname: string, port: number): string => `
  - name: ${name}
    type: ${type}
    connect_timeout: 1s
    dns_lookup_family: V4_ONLY
    dns_refresh_rate: 30s
    load_assignment:
      cluster_name: ${name}
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: ${hostname}, port_value: ${port} } } }`;
  const vhost = (name: string): string => `
            - name: ${name}
              domains: ["${name}"]
              routes:
              - match: { prefix: / }
                route: { cluster: ${name} }`;
  const adminGet = async (path: string): Promise<{ status: number; body: string }> => {
    const res = await request(`http://127.0.0.1:${px.adminPort}${path}`);
    return { status: res.statusCode, body: await res.body.text() };
  };
  /** The cluster's hosts in /clusters, as `hostname → address`. */
  const hostsOf = async (name: string): Promise<string[]> => {
    const dump = JSON.parse((await adminGet('/clusters')).body) as { name: string; hosts: { address: string; hostname: string }[] }[];
    return (dump.find((c) => c.name === name)?.hosts ?? []).map((h) => `${h.hostname} → ${h.address}`);
  };

  beforeAll(async () => {
    ratings = await startUpstream('ratings');
    details = await startUpstream('details');
    const clusters = [
      dnsCluster('strict', 'STRICT_DNS', 'localhost', ratings.port),
      dnsCluster('logical', 'LOGICAL_DNS', 'localhost', ratings.port),
      dnsCluster('missing', 'STRICT_DNS', 'no-such-host.invalid', 9080),
      cluster('details', [details.port]),
    ].join('');
    const vhosts = ['strict', 'logical', 'missing', 'details'].map(vhost).join('');
    px = await startProxy(bootstrap(httpListener('out', vhosts), clusters));
    // /ready waits for the first lookup of every DNS cluster (Envoy's cluster warming).
    await waitFor(async () => (await adminGet('/ready')).status === 200, { what: '/ready after the first DNS resolutions' });
  });
  afterAll(async () => {
    await px.close();
    await ratings.close();
    await details.close();
  });

  it('STRICT_DNS: requests reach the upstream at the address localhost resolved to', async () => {
    const r = await get(px.port('out'), '/ratings/1', { host: 'strict' });
    expect(r).toMatchObject({ status: 200, body: 'ratings' });
    expect(await hostsOf('strict')).toEqual([`localhost → 127.0.0.1:${ratings.port}`]);
  });

  it('LOGICAL_DNS: requests reach the upstream through the one logical host', async () => {
    const r = await get(px.port('out'), '/ratings/2', { host: 'logical' });
    expect(r).toMatchObject({ status: 200, body: 'ratings' });
    expect(await hostsOf('logical')).toEqual([`localhost → 127.0.0.1:${ratings.port}`]);
  });

  it('a name that does not resolve: 503 with flag UH and no healthy upstream; the other clusters keep serving', async () => {
    const r = await get(px.port('out'), '/', { host: 'missing' });
    expect(r.status).toBe(503);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_NO_HEALTHY_UPSTREAM: no healthy upstream in cluster missing/);
    expect(await hostsOf('missing')).toEqual([]);
    const metrics = (await adminGet('/stats/prometheus')).body;
    expect(metrics).toMatch(/istio_requests_total\{[^}]*response_code="503"[^}]*response_flags="UH"[^}]*\} 1\n/);
    expect(await get(px.port('out'), '/', { host: 'details' })).toMatchObject({ status: 200, body: 'details' });
    expect(await get(px.port('out'), '/', { host: 'strict' })).toMatchObject({ status: 200, body: 'ratings' });
    expect(await get(px.port('out'), '/', { host: 'logical' })).toMatchObject({ status: 200, body: 'ratings' });
  });
  it('counts every lookup by outcome in weft_proxy_dns_lookups_total', async () => {
    const metrics = (await adminGet('/stats/prometheus')).body;
    const lookups = (cluster: string, outcome: string): number => metricSum(metrics, 'weft_proxy_dns_lookups_total', `cluster_name="${cluster}",outcome="${outcome}"`);
    expect(lookups('strict', 'resolved')).toBeGreaterThanOrEqual(1);
    expect(lookups('logical', 'resolved')).toBeGreaterThanOrEqual(1);
    // NXDOMAIN is an empty answer; a resolver that cannot answer at all (no DNS here) is a failure.
    expect(lookups('missing', 'resolved')).toBe(0);
    expect(lookups('missing', 'empty') + lookups('missing', 'failed')).toBeGreaterThanOrEqual(1);
  });
});
