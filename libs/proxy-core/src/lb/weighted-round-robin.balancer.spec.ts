import { seededRandom } from './seeded-random';
import type { LbContext, LbHost } from './types';
import { WeightedRoundRobinBalancer } from './weighted-round-robin.balancer';

const host = (id: string, weight = 1): LbHost => ({ id, weight, activeRequests: 0, available: true });
const hostsOf = (weights: readonly number[]): LbHost[] => weights.map((w, i) => host(String.fromCharCode(65 + i), w));
const NONE: LbContext = { hash: null, exclude: null };

function picks(lb: WeightedRoundRobinBalancer, count: number, ctx: LbContext = NONE): string {
  let out = '';
  for (let i = 0; i < count; i++) out += lb.pick(ctx)?.id ?? '-';
  return out;
}

function tally(sequence: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of sequence) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

describe('WeightedRoundRobinBalancer', () => {
  describe.each([[[1, 2, 7]], [[1, 1]], [[3, 1]], [[5, 3, 2]], [[1, 2, 3, 4]], [[100, 1]]])('weights %j', (weights) => {
    it.each([1, 2, 3, 4, 5])('gives each host exactly its weight in every cycle (random start, seed %i)', (seed) => {
      const lb = new WeightedRoundRobinBalancer(hostsOf(weights), seededRandom(seed));
      const cycle = weights.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 50; c++) {
        const counts = tally(picks(lb, cycle));
        expect(weights.map((_, i) => counts[String.fromCharCode(65 + i)] ?? 0)).toEqual(weights);
      }
    });
  });

  it.each([
    { weights: [1, 2, 7], sequence: 'CCCBCCCABC' },
    { weights: [2, 4], sequence: 'BABBAB' },
    { weights: [1, 1, 1], sequence: 'ABCABC' },
  ])('interleaves rather than bunches: $weights from the start gives $sequence', ({ weights, sequence }) => {
    const lb = new WeightedRoundRobinBalancer(hostsOf(weights), () => 0);
    expect(picks(lb, sequence.length)).toBe(sequence);
  });

  it.each([
    { random: 0, sequence: 'ABCDABCD' },
    { random: 0.5, sequence: 'CDABCDAB' },
    { random: 0.99, sequence: 'DABCDABC' },
  ])('rotates equal weights from a random start ($random → $sequence)', ({ random, sequence }) => {
    const lb = new WeightedRoundRobinBalancer(hostsOf([3, 3, 3, 3]), () => random);
    expect(picks(lb, sequence.length)).toBe(sequence);
  });

  it.each([
    { weights: [1, 1, 1, 1], down: ['B'], cycle: 3, expected: { A: 1, C: 1, D: 1 } },
    { weights: [1, 2, 7], down: ['C'], cycle: 3, expected: { A: 1, B: 2 } },
    { weights: [1, 2, 7], down: ['A'], cycle: 9, expected: { B: 2, C: 7 } },
    { weights: [1, 2, 7], down: ['A', 'C'], cycle: 2, expected: { B: 2 } },
  ])('skips unavailable hosts, keeping the others in proportion ($weights, down $down)', ({ weights, down, cycle, expected }) => {
    const hosts = hostsOf(weights);
    for (const h of hosts) h.available = !down.includes(h.id);
    const lb = new WeightedRoundRobinBalancer(hosts, () => 0);
    for (let c = 0; c < 20; c++) expect(tally(picks(lb, cycle))).toEqual(expected);
  });

  it('resumes a host that comes back at its weight, without a burst of catch-up picks', () => {
    const hosts = hostsOf([1, 2, 7]);
    const lb = new WeightedRoundRobinBalancer(hosts, seededRandom(7));
    hosts[2].available = false;
    picks(lb, 300);
    hosts[2].available = true;
    expect(tally(picks(lb, 10)).C).toBeLessThanOrEqual(8);
    expect(tally(picks(lb, 100))).toEqual({ A: expect.closeTo(10, -0.4), B: expect.closeTo(20, -0.4), C: expect.closeTo(70, -0.4) });
  });

  it.each([[[1, 1, 1]], [[1, 2, 7]]])('avoids excluded hosts while another is available (weights %j)', (weights) => {
    const hosts = hostsOf(weights);
    const lb = new WeightedRoundRobinBalancer(hosts, seededRandom(3));
    const exclude = new Set([hosts[1], hosts[2]]);
    expect(picks(lb, 20, { hash: null, exclude })).toBe('A'.repeat(20));
  });

  it.each([[[1, 1, 1]], [[1, 2, 7]]])('ignores the exclusion when it leaves no available host (weights %j)', (weights) => {
    const hosts = hostsOf(weights);
    hosts[0].available = false;
    const lb = new WeightedRoundRobinBalancer(hosts, seededRandom(3));
    const sequence = picks(lb, 20, { hash: null, exclude: new Set(hosts) });
    expect(sequence).toMatch(/^[BC]{20}$/);
  });

  it.each([[[1, 1]], [[1, 2]]])('returns null when no host is available, or there are none (weights %j)', (weights) => {
    const hosts = hostsOf(weights);
    for (const h of hosts) h.available = false;
    expect(new WeightedRoundRobinBalancer(hosts, Math.random).pick(NONE)).toBeNull();
    expect(new WeightedRoundRobinBalancer([], Math.random).pick(NONE)).toBeNull();
  });

  it('keeps the host set it was built with when the caller reuses its array', () => {
    const hosts = hostsOf([1, 1]);
    const lb = new WeightedRoundRobinBalancer(hosts, () => 0);
    hosts.push(host('Z'));
    expect(picks(lb, 4)).toBe('ABAB');
  });
});
