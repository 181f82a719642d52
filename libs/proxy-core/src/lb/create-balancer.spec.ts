import type { LbPolicy } from '../model/config-model';
import { type BalancerOptions, createBalancer } from './create-balancer';
import { LeastRequestBalancer } from './least-request.balancer';
import { MaglevBalancer } from './maglev.balancer';
import { PeakEwma } from './peak-ewma';
import { type EwmaHost, PeakEwmaBalancer } from './peak-ewma.balancer';
import { RandomBalancer } from './random.balancer';
import { RingHashBalancer } from './ring-hash.balancer';
import type { LbHost } from './types';
import { WeightedRoundRobinBalancer } from './weighted-round-robin.balancer';

const OPTIONS: BalancerOptions = {
  choiceCount: 2,
  ringHash: { minimumRingSize: 16, maximumRingSize: 1024 },
  maglevTableSize: 251,
};
const hosts = (): EwmaHost[] =>
  ['10.0.0.1:80', '10.0.0.2:80'].map((id) => ({ id, weight: 1, activeRequests: 0, available: true, ewma: new PeakEwma(0) }));

describe('createBalancer', () => {
  it.each<[LbPolicy, abstract new (...args: never[]) => unknown]>([
    ['ROUND_ROBIN', WeightedRoundRobinBalancer],
    ['RANDOM', RandomBalancer],
    ['LEAST_REQUEST', LeastRequestBalancer],
    ['RING_HASH', RingHashBalancer],
    ['MAGLEV', MaglevBalancer],
    ['PEAK_EWMA', PeakEwmaBalancer],
  ])('builds %s as %p, which picks a host', (policy, type) => {
    const lb = createBalancer(policy, OPTIONS, hosts(), Math.random, () => 0);
    expect(lb).toBeInstanceOf(type);
    expect(lb.pick({ hash: 42, exclude: null })?.id).toMatch(/^10\.0\.0\.[12]:80$/);
  });

  it('passes the cluster’s ring sizes and Maglev table size through', () => {
    const ring = createBalancer('RING_HASH', OPTIONS, hosts(), Math.random) as RingHashBalancer;
    expect(ring.size).toBe(32);
    expect(() => createBalancer('MAGLEV', { ...OPTIONS, maglevTableSize: 250 }, hosts(), Math.random)).toThrow(RangeError);
  });

  it('passes choiceCount through to least request', () => {
    const busy: LbHost[] = [0, 1, 2, 3].map((i) => ({ id: `h${i}`, weight: 1, activeRequests: i, available: true }));
    // Draws: h3, then (among the others) h2, h1, h0: three choices find h1, four find h0.
    let d = 0;
    const draws = [0.99, 0.99, 0.5, 0];
    const random = () => draws[d++ % draws.length];
    expect(createBalancer('LEAST_REQUEST', { ...OPTIONS, choiceCount: 3 }, busy, random).pick({ hash: null, exclude: null })?.id).toBe('h1');
    d = 0;
    expect(createBalancer('LEAST_REQUEST', { ...OPTIONS, choiceCount: 4 }, busy, random).pick({ hash: null, exclude: null })?.id).toBe('h0');
  });

  it('refuses PEAK_EWMA without estimators on the hosts or a clock', () => {
    const plain: LbHost[] = [{ id: 'a', weight: 1, activeRequests: 0, available: true }];
    const policy = 'PEAK_EWMA' as LbPolicy;
    expect(() => createBalancer(policy, OPTIONS, plain as EwmaHost[], Math.random, () => 0)).toThrow(TypeError);
    expect(() => (createBalancer as (...args: unknown[]) => unknown)(policy, OPTIONS, hosts(), Math.random)).toThrow(TypeError);
  });
});
