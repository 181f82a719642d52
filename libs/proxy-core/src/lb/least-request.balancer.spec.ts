import { LeastRequestBalancer } from './least-request.balancer';
import { seededRandom } from './seeded-random';
import type { LbContext, LbHost } from './types';

const hostsOf = (weights: readonly number[], active: readonly number[] = []): LbHost[] =>
  weights.map((weight, i) => ({ id: String.fromCharCode(65 + i), weight, activeRequests: active[i] ?? 0, available: true }));
const NONE: LbContext = { hash: null, exclude: null };
/** A `random` that replays the given draws in a loop. */
const draws = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length];
};
const tolerance = (p: number, n: number): number => 4 * Math.sqrt((p * (1 - p)) / n);

function tally(lb: LeastRequestBalancer, n: number, ctx: LbContext = NONE): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = lb.pick(ctx)?.id ?? '-';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe('LeastRequestBalancer', () => {
  describe('equal weights: power of choices over active requests', () => {
    // Second and later draws index the hosts other than the first draw's.
    it.each([
      { active: [5, 0, 3], draws: [0, 0], choiceCount: 2, expected: 'B' },
      { active: [0, 5, 3], draws: [0, 0], choiceCount: 2, expected: 'A' },
      { active: [5, 0, 3], draws: [0.9, 0.9], choiceCount: 2, expected: 'B' },
      { active: [1, 9, 0], draws: [0.5, 0.9], choiceCount: 2, expected: 'C' },
      { active: [2, 2, 2], draws: [0.5, 0], choiceCount: 2, expected: 'B' },
      { active: [4, 5, 0], draws: [0, 0], choiceCount: 2, expected: 'A' },
      { active: [4, 5, 0], draws: [0, 0, 0.9], choiceCount: 3, expected: 'C' },
      { active: [4, 5, 0], draws: [0.5], choiceCount: 1, expected: 'B' },
    ])('active $active, draws $draws, $choiceCount choices → $expected', ({ active, draws: values, choiceCount, expected }) => {
      const lb = new LeastRequestBalancer(hostsOf([1, 1, 1], active), draws(...values), { choiceCount });
      expect(lb.pick(NONE)?.id).toBe(expected);
    });

    it('never sends to the single busiest host with two choices', () => {
      const lb = new LeastRequestBalancer(hostsOf([1, 1, 1, 1], [0, 1, 2, 9]), seededRandom(5));
      expect(tally(lb, 10_000).D).toBeUndefined();
    });

    it('spreads evenly when all hosts are idle', () => {
      const n = 30_000;
      const counts = tally(new LeastRequestBalancer(hostsOf([2, 2, 2]), seededRandom(11)), n);
      for (const id of ['A', 'B', 'C']) expect(Math.abs(counts[id] / n - 1 / 3)).toBeLessThanOrEqual(tolerance(1 / 3, n));
    });

    it('falls back to the least-loaded eligible host when every draw is unusable', () => {
      const hosts = hostsOf([1, 1, 1, 1], [0, 0, 7, 3]);
      hosts[0].available = false;
      const lb = new LeastRequestBalancer(hosts, draws(0, 0, 0.6));
      expect(lb.pick({ hash: null, exclude: new Set([hosts[1]]) })?.id).toBe('D');
    });
  });

  describe('unequal weights: EDF over weight / (active + 1)', () => {
    it.each([
      { weights: [1, 3], active: [0, 0], bias: 1, picks: 400, expected: { A: 100, B: 300 } },
      { weights: [1, 3], active: [0, 2], bias: 1, picks: 400, expected: { A: 200, B: 200 } },
      { weights: [1, 3], active: [0, 2], bias: 0, picks: 400, expected: { A: 100, B: 300 } },
      { weights: [2, 2, 1], active: [1, 0, 0], bias: 1, picks: 400, expected: { A: 100, B: 200, C: 100 } },
    ])('weights $weights, active $active, bias $bias → $expected', ({ weights, active, bias, picks, expected }) => {
      const lb = new LeastRequestBalancer(hostsOf(weights, active), () => 0, { activeRequestBias: bias });
      expect(tally(lb, picks)).toEqual(expected);
    });

    it('sends less to a host whose requests pile up', () => {
      const hosts = hostsOf([2, 1]);
      const lb = new LeastRequestBalancer(hosts, seededRandom(2));
      const counts = { A: 0, B: 0 };
      for (let i = 0; i < 100; i++) {
        const host = lb.pick(NONE) as LbHost;
        counts[host.id as 'A' | 'B']++;
        if (host.id === 'A') host.activeRequests++; // A never completes; B answers at once
      }
      // Unloaded, A would get 2/3 (≈ 67). Its k-th pick is (k + 1) / 2 time units after the previous
      // one while B gets one pick per unit, so A's m picks take ≈ m² / 4 units: m ≈ 16 of 100.
      expect(counts.A).toBeLessThan(25);
    });

    it('skips unavailable and excluded hosts, and returns null when none is available', () => {
      const hosts = hostsOf([1, 2, 7]);
      hosts[2].available = false;
      const lb = new LeastRequestBalancer(hosts, seededRandom(4));
      expect(tally(lb, 30, { hash: null, exclude: new Set([hosts[0]]) })).toEqual({ B: 30 });
      expect(Object.keys(tally(lb, 30, { hash: null, exclude: new Set(hosts) })).sort()).toEqual(['A', 'B']);
      hosts[0].available = hosts[1].available = false;
      expect(lb.pick(NONE)).toBeNull();
    });
  });

  it('returns null for an empty host set', () => {
    expect(new LeastRequestBalancer([], Math.random).pick(NONE)).toBeNull();
  });
});
