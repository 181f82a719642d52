import { bootstrap, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/** locality_weighted_lb_config: a locality's share follows its weight, whatever its number of endpoints. */
describe('locality-weighted load balancing', () => {
  const ups: Upstream[] = [];
  let px: RunningProxy;

  beforeAll(async () => {
    for (const name of ['a0', 'b0', 'b1', 'b2']) ups.push(await startUpstream(name));
    const ep = (u: Upstream): string => `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${u.port} } } }`;
    const clusters = `
  - name: zoned
    type: STATIC
    connect_timeout: 1s
    lb_policy: ROUND_ROBIN
    common_lb_config: { locality_weighted_lb_config: {} }
    load_assignment:
      cluster_name: zoned
      endpoints:
      - locality: { region: r1, zone: a }
        load_balancing_weight: 1
        lb_endpoints:
${ep(ups[0])}
      - locality: { region: r1, zone: b }
        load_balancing_weight: 1
        lb_endpoints:
${ups.slice(1).map(ep).join('\n')}`;
    const vhost = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: zoned }`;
    px = await startProxy(bootstrap(httpListener('out', vhost), clusters));
  });
  afterAll(async () => {
    await px.close();
    for (const u of ups) await u.close();
  });

  it('sends half the traffic to the zone with one endpoint and half to the zone with three', async () => {
    const counts: Record<string, number> = { a0: 0, b0: 0, b1: 0, b2: 0 };
    for (let i = 0; i < 400; i++) counts[(await get(px.port('out'), '/', { host: 'x' })).body]++;
    // Smooth weighted round robin is deterministic: within a couple of requests of the exact shares.
    expect(Math.abs(counts.a0 - 200)).toBeLessThanOrEqual(4);
    for (const b of ['b0', 'b1', 'b2']) expect(Math.abs(counts[b] - 200 / 3)).toBeLessThanOrEqual(4);
  });
});

/** EDS priorities: priority 1 serves only while priority 0 has no available endpoint. */
describe('priority levels', () => {
  const ups: Upstream[] = [];
  let px: RunningProxy;
  const yaml = (p0Health: string): string => {
    const ep = (u: Upstream, health = 'HEALTHY'): string =>
      `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${u.port} } } }\n          health_status: ${health}`;
    const clusters = `
  - name: tiers
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: tiers
      endpoints:
      - priority: 0
        lb_endpoints:
${ep(ups[0], p0Health)}
      - priority: 1
        lb_endpoints:
${ep(ups[1])}`;
    const vhost = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: tiers }`;
    return bootstrap(httpListener('out', vhost), clusters);
  };

  beforeAll(async () => {
    ups.push(await startUpstream('primary'), await startUpstream('backup'));
    px = await startProxy(yaml('HEALTHY'));
  });
  afterAll(async () => {
    await px.close();
    for (const u of ups) await u.close();
  });

  it('serves from priority 0, and from priority 1 once priority 0 is down', async () => {
    const bodies = async (): Promise<Set<string>> => {
      const out = new Set<string>();
      for (let i = 0; i < 20; i++) out.add((await get(px.port('out'), '/', { host: 'x' })).body);
      return out;
    };
    expect([...(await bodies())]).toEqual(['primary']);
    await px.proxy.applyConfig(yaml('UNHEALTHY'));
    expect([...(await bodies())]).toEqual(['backup']);
  });
});
