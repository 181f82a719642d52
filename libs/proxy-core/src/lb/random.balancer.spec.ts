import { RandomBalancer } from './random.balancer';
import { seededRandom } from './seeded-random';
import type { LbContext, LbHost } from './types';

const hostsOf = (weights: readonly number[]): LbHost[] =>
  weights.map((weight, i) => ({ id: String.fromCharCode(65 + i), weight, activeRequests: 0, available: true }));
const NONE: LbContext = { hash: null, exclude: null };
/** Four standard deviations of a binomial proportion p over n draws. */
const tolerance = (p: number, n: number): number => 4 * Math.sqrt((p * (1 - p)) / n);

function shares(lb: RandomBalancer, n: number, ctx: LbContext = NONE): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = lb.pick(ctx)?.id ?? '-';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  for (const id of Object.keys(counts)) counts[id] /= n;
  return counts;
}

describe('RandomBalancer', () => {
  it.each([
    { random: 0, expected: 'A' },
    { random: 0.0999, expected: 'A' },
    { random: 0.1, expected: 'B' },
    { random: 0.2999, expected: 'B' },
    { random: 0.3, expected: 'C' },
    { random: 0.999999, expected: 'C' },
    { random: 1, expected: 'C' },
  ])('maps a draw of $random onto cumulative weights 1:2:7 → $expected', ({ random, expected }) => {
    expect(new RandomBalancer(hostsOf([1, 2, 7]), () => random).pick(NONE)?.id).toBe(expected);
  });

  const N = 100_000;
  it.each<{ weights: number[]; down: string[]; expected: Record<string, number> }>([
    { weights: [1, 2, 7], down: [], expected: { A: 0.1, B: 0.2, C: 0.7 } },
    { weights: [1, 1, 1, 1], down: [], expected: { A: 0.25, B: 0.25, C: 0.25, D: 0.25 } },
    { weights: [1, 2, 7], down: ['C'], expected: { A: 1 / 3, B: 2 / 3 } },
    { weights: [1, 2, 7], down: ['A'], expected: { B: 2 / 9, C: 7 / 9 } },
  ])('picks in proportion to weight among available hosts ($weights, down $down)', ({ weights, down, expected }) => {
    const hosts = hostsOf(weights);
    for (const h of hosts) h.available = !down.includes(h.id);
    const got = shares(new RandomBalancer(hosts, seededRandom(42)), N);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, p] of Object.entries(expected)) expect(Math.abs(got[id] - p)).toBeLessThanOrEqual(tolerance(p, N));
  });

  it('redraws away from excluded hosts, in proportion among the rest', () => {
    const hosts = hostsOf([1, 2, 7]);
    const got = shares(new RandomBalancer(hosts, seededRandom(9)), N, { hash: null, exclude: new Set([hosts[2]]) });
    expect(Object.keys(got).sort()).toEqual(['A', 'B']);
    expect(Math.abs(got.A - 1 / 3)).toBeLessThanOrEqual(tolerance(1 / 3, N));
  });

  it('ignores the exclusion when it leaves no available host, and returns null when none is available', () => {
    const hosts = hostsOf([1, 2, 7]);
    hosts[0].available = false;
    const lb = new RandomBalancer(hosts, seededRandom(1));
    const got = shares(lb, 1000, { hash: null, exclude: new Set(hosts) });
    expect(Object.keys(got).sort()).toEqual(['B', 'C']);
    for (const h of hosts) h.available = false;
    expect(lb.pick(NONE)).toBeNull();
    expect(new RandomBalancer([], Math.random).pick(NONE)).toBeNull();
  });
});
