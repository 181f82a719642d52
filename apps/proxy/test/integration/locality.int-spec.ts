import { bootstrap, get, httpListener, startProxy, startUpstream, catchAllTo, type RunningProxy, type Upstream } from './harness';

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
    const vhost = catchAllTo('zoned');
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

/**
 * EDS priorities with Envoy's priority load: a level keeps all the traffic while overprovisioning
 * (1.4) × its available share is ≥ 100 %, and spills the rest over to the next level as it loses
 * hosts — 2 of 4 available: 70 % stays, 30 % goes to priority 1; none available: all to priority 1.
 */
describe('priority levels', () => {
  const ups: Upstream[] = [];
  let px: RunningProxy;
  const yaml = (p0Health: readonly string[]): string => {
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
${p0Health.map((h, i) => ep(ups[i], h)).join('\n')}
      - priority: 1
        lb_endpoints:
${ep(ups[4])}`;
    const vhost = catchAllTo('tiers');
    return bootstrap(httpListener('out', vhost), clusters);
  };
  /** Which tier served each of `n` requests (20 in flight at a time). */
  const tiers = async (n: number): Promise<{ primary: number; backup: number }> => {
    const out = { primary: 0, backup: 0 };
    for (let i = 0; i < n; i += 20) {
      const bodies = await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => get(px.port('out'), '/', { host: 'x' })));
      for (const r of bodies) out[r.body === 'backup' ? 'backup' : 'primary']++;
    }
    return out;
  };

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) ups.push(await startUpstream(`primary-${i}`));
    ups.push(await startUpstream('backup'));
    px = await startProxy(yaml(['HEALTHY', 'HEALTHY', 'HEALTHY', 'HEALTHY']));
  });
  afterAll(async () => {
    await px.close();
    for (const u of ups) await u.close();
  });

  it('serves from priority 0 while it has enough hosts (all, or 3 of 4: 105 % with overprovisioning)', async () => {
    expect(await tiers(100)).toEqual({ primary: 100, backup: 0 });
    await px.proxy.applyConfig(yaml(['HEALTHY', 'HEALTHY', 'HEALTHY', 'UNHEALTHY']));
    expect(await tiers(100)).toEqual({ primary: 100, backup: 0 });
  });

  it('spills 30 % over to priority 1 when half of priority 0 is down', async () => {
    await px.proxy.applyConfig(yaml(['HEALTHY', 'HEALTHY', 'UNHEALTHY', 'UNHEALTHY']));
    const { backup } = await tiers(2000);
    // Binomial(2000, 0.3): sd ≈ 20.5; ±80 is about 4 sd.
    expect(Math.abs(backup - 600)).toBeLessThanOrEqual(80);
  });

  it('serves everything from priority 1 once priority 0 is down', async () => {
    await px.proxy.applyConfig(yaml(['UNHEALTHY', 'UNHEALTHY', 'UNHEALTHY', 'UNHEALTHY']));
    expect(await tiers(100)).toEqual({ primary: 0, backup: 100 });
  });
});
