import { hashString } from './hash';
import { RingHashBalancer } from './ring-hash.balancer';
import { seededRandom } from './seeded-random';
import type { LbContext, LbHost } from './types';

const host = (n: number, weight = 1): LbHost => ({ id: `10.0.0.${n}:8080`, weight, activeRequests: 0, available: true });
const hostsOf = (weights: readonly number[]): LbHost[] => weights.map((w, i) => host(i + 1, w));
const at = (hash: number | null, exclude: ReadonlySet<LbHost> | null = null): LbContext => ({ hash, exclude });
const KEYS = Array.from({ length: 10_000 }, (_, i) => hashString(`user-${i}`));
const RING = { minimumRingSize: 1024, maximumRingSize: 8 * 1024 * 1024 };

/**
 * Four standard deviations of the share of `keys` keys landing on a host that owns a fraction p of
 * a ring of `points` random points: its arc length is Beta(p·points, (1-p)·points) distributed
 * (variance p(1-p)/(points+1)), and the keys sample that arc binomially (variance p(1-p)/keys).
 */
function tolerance(p: number, points: number, keys = KEYS.length): number {
  return 4 * Math.sqrt((p * (1 - p)) / (points + 1) + (p * (1 - p)) / keys);
}

function owners(lb: RingHashBalancer, keys: readonly number[] = KEYS): string[] {
  return keys.map((k) => lb.pick(at(k))?.id ?? '-');
}

function shares(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1 / ids.length);
  return counts;
}

describe('RingHashBalancer', () => {
  it.each([
    { weights: [1, 1, 1, 1, 1], ring: RING, size: 5 * 1024, min: 1024, max: 1024 },
    { weights: [1, 2, 3], ring: RING, size: 6 * 1024, min: 1024, max: 3 * 1024 },
    { weights: [2, 4], ring: RING, size: 3 * 1024, min: 1024, max: 2 * 1024 },
    { weights: [1, 1, 1, 1, 1], ring: { minimumRingSize: 1024, maximumRingSize: 1000 }, size: 1000, min: 200, max: 200 },
    { weights: [1, 3], ring: { minimumRingSize: 64, maximumRingSize: 100 }, size: 100, min: 25, max: 75 },
  ])('sizes the ring: weights $weights, $ring → $size points', ({ weights, ring, size, min, max }) => {
    const lb = new RingHashBalancer(hostsOf(weights), Math.random, ring);
    expect([lb.size, lb.minHashesPerHost, lb.maxHashesPerHost]).toEqual([size, min, max]);
  });

  it.each([[[1, 1, 1, 1, 1]], [[1, 2, 3]], [[5, 1, 1, 1]]])('spreads keys in proportion to weight (%j)', (weights) => {
    const hosts = hostsOf(weights);
    const lb = new RingHashBalancer(hosts, Math.random, RING);
    const got = shares(owners(lb));
    const units = weights.reduce((a, b) => a + b, 0);
    for (const [i, h] of hosts.entries()) {
      const p = weights[i] / units;
      expect(Math.abs((got.get(h.id) ?? 0) - p)).toBeLessThanOrEqual(tolerance(p, lb.size));
    }
  });

  it.each([5, 10])('moves only the keys the new host takes when a host joins (N=%i → N+1)', (n) => {
    const before = hostsOf(Array(n).fill(1));
    const joined = host(n + 1);
    const a = owners(new RingHashBalancer(before, Math.random, RING));
    const b = owners(new RingHashBalancer([...before, joined], Math.random, RING));
    const moved = a.filter((id, k) => id !== b[k]);
    expect(new Set(b.filter((id, k) => id !== a[k]))).toEqual(new Set([joined.id]));
    expect(Math.abs(moved.length / KEYS.length - 1 / (n + 1))).toBeLessThanOrEqual(tolerance(1 / (n + 1), (n + 1) * 1024));
  });

  it('moves only the keys of a host that leaves', () => {
    const hosts = hostsOf([1, 1, 1, 1, 1, 1]);
    const a = owners(new RingHashBalancer(hosts, Math.random, RING));
    const b = owners(new RingHashBalancer(hosts.slice(0, 5), Math.random, RING));
    expect(new Set(a.filter((id, k) => id !== b[k]))).toEqual(new Set([hosts[5].id]));
  });

  it('maps keys the same whatever order the hosts come in', () => {
    const hosts = hostsOf([1, 2, 1, 3]);
    const a = owners(new RingHashBalancer(hosts, Math.random, RING));
    expect(owners(new RingHashBalancer([...hosts].reverse(), Math.random, RING))).toEqual(a);
  });

  it('walks past an unavailable host to the next point, and returns its keys when it is back', () => {
    const hosts = hostsOf([1, 1, 1, 1]);
    const lb = new RingHashBalancer(hosts, Math.random, RING);
    const healthy = owners(lb);
    hosts[1].available = false;
    const degraded = owners(lb);
    const down = hosts[1].id;
    expect(degraded.filter((id) => id === down)).toEqual([]);
    expect(healthy.filter((id, k) => id !== down && degraded[k] !== id)).toEqual([]);
    // Its keys spread over the others rather than piling onto one neighbour.
    expect(new Set(degraded.filter((_, k) => healthy[k] === down)).size).toBe(3);
    hosts[1].available = true;
    expect(owners(lb)).toEqual(healthy);
  });

  it('avoids excluded hosts, ignoring the exclusion only when nothing else is available', () => {
    const hosts = hostsOf([1, 1, 1]);
    const lb = new RingHashBalancer(hosts, Math.random, RING);
    const key = KEYS[0];
    const first = lb.pick(at(key)) as LbHost;
    const retry = lb.pick(at(key, new Set([first]))) as LbHost;
    expect(retry).not.toBe(first);
    expect(lb.pick(at(key, new Set([first]))))
      .toBe(retry); // deterministic: the same retry host for the same key
    for (const h of hosts) if (h !== first) h.available = false;
    expect(lb.pick(at(key, new Set(hosts)))).toBe(first);
    first.available = false;
    expect(lb.pick(at(key))).toBeNull();
  });

  it('picks a random point when the request has no hash', () => {
    const hosts = hostsOf([1, 1, 1]);
    const n = 3000;
    const lb = new RingHashBalancer(hosts, seededRandom(8), RING);
    const got = shares(owners(lb, Array(n).fill(null)));
    for (const h of hosts) expect(Math.abs((got.get(h.id) ?? 0) - 1 / 3)).toBeLessThanOrEqual(tolerance(1 / 3, lb.size, n));
  });

  it('wraps past the last point to the first, and accepts any number as a hash', () => {
    const lb = new RingHashBalancer(hostsOf([1, 1, 1]), Math.random, RING);
    expect(lb.pick(at(2 ** 32 - 1))).toBe(lb.pick(at(0)));
    expect(lb.pick(at(2 ** 32 + 5))).toBe(lb.pick(at(5)));
    expect(new RingHashBalancer([], Math.random, RING).pick(at(1))).toBeNull();
  });
});
