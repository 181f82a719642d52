import { forward, prefix, request, route, routeConfig, vhost } from './route-fixtures.spec-helper';
import { compileRouteConfig, matchRoute } from './route-table';
import { pickCluster, pickClusterByValue } from './weighted-cluster';
import { seededRandom as seeded } from '../lb/seeded-random';

function routeWith(clusters: ReadonlyArray<readonly [string, number]>) {
  const table = compileRouteConfig(routeConfig([vhost('vh', ['*'], [route('r', prefix('/'), { action: forward(clusters) })])]));
  const r = matchRoute(table, request());
  if (r === null) throw new Error('no route');
  return r;
}


describe('weighted cluster selection', () => {
  const r = routeWith([['v1', 90], ['v2', 10]]);

  const boundaries: ReadonlyArray<readonly [number, string]> = [
    [0, 'v1'],
    [0.8999, 'v1'],
    [0.9, 'v2'],
    [0.99999, 'v2'],
  ];

  it.each(boundaries)('random %d → %s (cumulative weights)', (value, expected) => {
    expect(pickCluster(r, () => value)?.name).toBe(expected);
  });

  it('takes integer selection values modulo the total weight, as Envoy does', () => {
    expect(pickClusterByValue(r, 89)?.name).toBe('v1');
    expect(pickClusterByValue(r, 90)?.name).toBe('v2');
    expect(pickClusterByValue(r, 100 + 95)?.name).toBe('v2');
  });

  it('never picks a zero-weight cluster', () => {
    const z = routeWith([['off', 0], ['on', 1], ['off2', 0]]);
    for (const value of [0, 0.5, 0.9999]) expect(pickCluster(z, () => value)?.name).toBe('on');
  });

  it('splits 90/10 within five standard deviations over 20,000 picks', () => {
    const n = 20_000;
    const p = 0.1;
    const random = seeded(0x5eed);
    let v2 = 0;
    for (let i = 0; i < n; i++) if (pickCluster(r, random)?.name === 'v2') v2++;
    // Binomial(n, p): sd = sqrt(n p (1 - p)) ≈ 42 picks, so ±5 sd ≈ ±212 picks (±1.06 points).
    const tolerance = 5 * Math.sqrt(n * p * (1 - p));
    expect(Math.abs(v2 - n * p)).toBeLessThanOrEqual(tolerance);
  });

  it('returns the only cluster without drawing a random number, and null for non-forwarding routes', () => {
    const single = routeWith([['only', 1]]);
    expect(pickCluster(single, () => { throw new Error('not needed'); })?.name).toBe('only');
    const redirect = compileRouteConfig(routeConfig([vhost('vh', ['*'], [route('r', prefix('/'), {
      action: { kind: 'direct_response', status: 204, body: null },
    })])]));
    const rr = matchRoute(redirect, request());
    expect(rr === null ? 'no route' : pickCluster(rr, Math.random)).toBeNull();
  });
});
