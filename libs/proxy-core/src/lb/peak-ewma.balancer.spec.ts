import { PeakEwma } from './peak-ewma';
import { type EwmaHost, PeakEwmaBalancer } from './peak-ewma.balancer';
import { seededRandom } from './seeded-random';
import type { LbContext } from './types';

interface TestHost extends EwmaHost {
  rttMs: number;
}

const NONE: LbContext = { hash: null, exclude: null };
/** Hosts whose estimators start at the default RTT, or at their own RTT when `primed`. */
const hostsOf = (rtts: readonly number[], weights: readonly number[] = [], primed = false): TestHost[] =>
  rtts.map((rttMs, i) => ({
    id: String.fromCharCode(65 + i),
    weight: weights[i] ?? 1,
    activeRequests: 0,
    available: true,
    ewma: primed ? new PeakEwma(0, 10_000, rttMs) : new PeakEwma(0),
    rttMs,
  }));
const draws = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length];
};

/** Sends `count` requests one after another, `gapMs` apart; each takes its host's RTT. Returns picks per host. */
function drive(lb: PeakEwmaBalancer<TestHost>, clock: { now: number }, count: number, gapMs: number): Record<string, number> {
  const picks: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const host = lb.pick(NONE) as TestHost;
    picks[host.id] = (picks[host.id] ?? 0) + 1;
    host.ewma.observe(host.rttMs, clock.now);
    clock.now += gapMs;
  }
  return picks;
}

describe('PeakEwmaBalancer', () => {
  it.each([
    { name: 'the lower RTT estimate', rtts: [50, 20, 30], active: [0, 0, 0], weights: [1, 1, 1], expected: 'B' },
    { name: 'fewer requests in flight at equal RTT', rtts: [20, 20, 20], active: [3, 1, 0], weights: [1, 1, 1], expected: 'B' },
    { name: 'RTT × (active + 1), not RTT alone', rtts: [20, 50, 0], active: [4, 0, 0], weights: [1, 1, 1], expected: 'B' },
    { name: 'the heavier host at equal cost per weight', rtts: [40, 30, 0], active: [0, 0, 0], weights: [2, 1, 1], expected: 'A' },
    { name: 'the first draw on a tie', rtts: [20, 20, 20], active: [0, 0, 0], weights: [1, 1, 1], expected: 'A' },
  ])('prefers $name', ({ rtts, active, weights, expected }) => {
    const hosts = hostsOf(rtts, weights, true);
    hosts.forEach((h, i) => (h.activeRequests = active[i]));
    // First draw A, second draw (among the others) B.
    expect(new PeakEwmaBalancer(hosts, draws(0, 0), () => 0).pick(NONE)?.id).toBe(expected);
  });

  it('sends few requests to a slow host, then gives it its share again after it recovers', () => {
    const clock = { now: 0 };
    const hosts = hostsOf([10, 10, 200]);
    const lb = new PeakEwmaBalancer(hosts, seededRandom(21), () => clock.now);

    // 10 s at one request per 5 ms: one sample of 200 ms keeps C out for ~τ·ln(200/10) ≈ 30 s.
    const slow = drive(lb, clock, 2000, 5);
    expect(slow.C ?? 0).toBeLessThan(0.02 * 2000);

    hosts[2].rttMs = 10;
    drive(lb, clock, 12_000, 5); // 60 s: C's estimate decays, it is tried again and answers fast
    expect(hosts[2].ewma.cost(clock.now, 0)).toBeLessThan(15);
    const recovered = drive(lb, clock, 2000, 5);
    expect(recovered.C).toBeGreaterThan(0.25 * 2000);
  });

  it('skips unavailable and excluded hosts, and returns null when none is available', () => {
    const hosts = hostsOf([10, 10, 10]);
    hosts[0].available = false;
    const lb = new PeakEwmaBalancer(hosts, seededRandom(4), () => 0);
    const exclude = new Set([hosts[1]]);
    for (let i = 0; i < 20; i++) expect(lb.pick({ hash: null, exclude })?.id).toBe('C');
    expect(lb.pick({ hash: null, exclude: new Set(hosts) })?.id).toMatch(/^[BC]$/);
    hosts[1].available = hosts[2].available = false;
    expect(lb.pick(NONE)).toBeNull();
    expect(new PeakEwmaBalancer([], Math.random, () => 0).pick(NONE)).toBeNull();
  });
});
