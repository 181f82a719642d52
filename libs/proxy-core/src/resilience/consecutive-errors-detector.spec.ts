import type { OutlierDetectionModel } from '../model/config-model';
import { ConsecutiveErrorsDetector, type EjectionReason, type OutlierResult } from './consecutive-errors-detector';
import { seededRandom as seeded } from '../lb/seeded-random';

const BASE: OutlierDetectionModel = {
  consecutive5xx: 5,
  consecutiveGatewayFailure: 5,
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionTimeMs: 300_000,
  maxEjectionPercent: 100,
  enforcingConsecutive5xx: 100,
  enforcingConsecutiveGatewayFailure: 100,
};


interface Harness {
  detector: ConsecutiveErrorsDetector<string>;
  events: string[];
  setTime(ms: number): void;
}

function harness(overrides: Partial<OutlierDetectionModel> = {}, hosts = ['a'], alwaysEjectOneHost = false): Harness {
  let now = 0;
  const events: string[] = [];
  const detector = new ConsecutiveErrorsDetector<string>(
    { ...BASE, ...overrides },
    {
      clock: () => now,
      alwaysEjectOneHost,
      listener: {
        onEject: (host: string, reason: EjectionReason, ms: number, at: number) =>
          events.push(`eject ${host} ${reason} ${ms}ms @${at}`),
        onUneject: (host: string, at: number) => events.push(`uneject ${host} @${at}`),
      },
    },
  );
  detector.setHosts(hosts);
  return { detector, events, setTime: (ms) => (now = ms) };
}

function report(detector: ConsecutiveErrorsDetector<string>, host: string, results: readonly OutlierResult[]): void {
  for (const result of results) detector.onResult(host, result);
}

const times = (n: number, result: OutlierResult): OutlierResult[] => Array<OutlierResult>(n).fill(result);

describe('ConsecutiveErrorsDetector', () => {
  describe('detection', () => {
    it.each<[string, Partial<OutlierDetectionModel>, OutlierResult[], EjectionReason | null]>([
      ['5 consecutive 5xx eject', {}, times(5, '5xx'), 'consecutive_5xx'],
      ['4 consecutive 5xx do not', {}, times(4, '5xx'), null],
      ['a success in between resets the count', {}, [...times(4, '5xx'), 'success', ...times(4, '5xx')], null],
      ['gateway errors fire the gateway detector first', {}, times(5, 'gateway'), 'consecutive_gateway_failure'],
      [
        'local-origin failures count as gateway failures',
        { consecutive5xx: null },
        times(5, 'local-failure'),
        'consecutive_gateway_failure',
      ],
      ['local-origin failures count as 5xx', { consecutiveGatewayFailure: null }, times(5, 'local-failure'), 'consecutive_5xx'],
      [
        'a plain 5xx resets the gateway count',
        { consecutive5xx: null },
        [...times(4, 'gateway'), '5xx', ...times(4, 'gateway')],
        null,
      ],
      [
        'gateway errors also count towards 5xx',
        { consecutiveGatewayFailure: 10 },
        [...times(3, 'gateway'), ...times(2, '5xx')],
        'consecutive_5xx',
      ],
      [
        'gateway detected but not enforced: the 5xx detector still ejects',
        { enforcingConsecutiveGatewayFailure: 0 },
        times(5, 'gateway'),
        'consecutive_5xx',
      ],
      ['both detectors disabled', { consecutive5xx: null, consecutiveGatewayFailure: null }, times(50, 'gateway'), null],
      ['5xx detected but not enforced', { enforcingConsecutive5xx: 0, consecutiveGatewayFailure: null }, times(5, '5xx'), null],
    ])('%s', (_name, overrides, results, reason) => {
      const { detector, events } = harness(overrides);
      report(detector, 'a', results);
      expect(detector.isEjected('a')).toBe(reason !== null);
      expect(events).toEqual(reason === null ? [] : [`eject a ${reason} 30000ms @0`]);
    });

    it('counts detections separately from enforced ejections', () => {
      const { detector } = harness({ enforcingConsecutiveGatewayFailure: 0 });
      report(detector, 'a', times(5, 'gateway'));
      expect({ ...detector.stats }).toEqual({
        ejectionsDetectedConsecutive5xx: 1,
        ejectionsDetectedConsecutiveGatewayFailure: 1,
        ejectionsEnforcedConsecutive5xx: 1,
        ejectionsEnforcedConsecutiveGatewayFailure: 0,
        ejectionsEnforcedTotal: 1,
        ejectionsOverflow: 0,
      });
    });

    it('ignores results for hosts it does not track', () => {
      const { detector } = harness();
      report(detector, 'ghost', times(10, '5xx'));
      expect([detector.isEjected('ghost'), detector.ejectedCount]).toEqual([false, 0]);
    });

    it('needs a full run of failures again after the host returns', () => {
      const { detector, setTime } = harness();
      report(detector, 'a', times(5, '5xx'));
      report(detector, 'a', times(3, '5xx')); // in-flight requests failing while ejected
      setTime(30_000);
      detector.tick(30_000);
      report(detector, 'a', times(4, '5xx'));
      expect(detector.isEjected('a')).toBe(false);
      report(detector, 'a', ['5xx']);
      expect(detector.isEjected('a')).toBe(true);
    });
  });

  describe('max_ejection_percent', () => {
    it.each<[number, number, boolean, number]>([
      // hosts, maxEjectionPercent, alwaysEjectOneHost, hosts ejected when every host fails
      [5, 10, false, 0],
      [5, 10, true, 1],
      [9, 10, false, 0],
      [10, 10, false, 1],
      [20, 10, false, 2],
      [25, 10, false, 2],
      [2, 50, false, 1],
      [3, 50, false, 1],
      [4, 50, false, 2],
      [4, 100, false, 4],
      [1, 100, false, 1],
      [10, 0, false, 0],
      [10, 0, true, 1],
      [1, 0, true, 1],
    ])('%i hosts, %i%%, always_eject_one_host=%s → %i ejected', (count, maxEjectionPercent, always, expected) => {
      const hosts = Array.from({ length: count }, (_, i) => `h${i}`);
      const { detector } = harness({ maxEjectionPercent, consecutiveGatewayFailure: null }, hosts, always);
      for (const host of hosts) report(detector, host, times(5, '5xx'));
      expect(detector.ejectedCount).toBe(expected);
      expect(hosts.filter((h) => detector.isEjected(h))).toHaveLength(expected);
      expect(detector.stats.ejectionsOverflow).toBe(count - expected);
    });

    it('makes room again when an ejected host is removed from the cluster', () => {
      const { detector } = harness({ maxEjectionPercent: 50, consecutiveGatewayFailure: null }, ['a', 'b', 'c', 'd']);
      for (const host of ['a', 'b', 'c']) report(detector, host, times(5, '5xx'));
      expect(detector.ejectedCount).toBe(2);
      detector.setHosts(['b', 'c', 'd']); // 'a' (ejected) leaves; 'b' stays ejected
      expect([detector.ejectedCount, detector.isEjected('b')]).toEqual([1, true]);
      report(detector, 'c', times(5, '5xx'));
      expect(detector.ejectedCount).toBe(1); // 2 of 3 = 66 % > 50 %
      report(detector, 'd', times(5, '5xx'));
      expect(detector.ejectedCount).toBe(1);
    });
  });

  describe('ejection time', () => {
    it.each<[string, Partial<OutlierDetectionModel>, number[]]>([
      ['grows linearly with repeated ejections', {}, [30_000, 60_000, 90_000, 120_000]],
      ['is capped by max_ejection_time', { maxEjectionTimeMs: 60_000 }, [30_000, 60_000, 60_000, 60_000]],
      ['never drops below base when max < base', { maxEjectionTimeMs: 1_000 }, [30_000, 30_000, 30_000]],
    ])('%s', (_name, overrides, expected) => {
      const { detector, events, setTime } = harness({ ...overrides, consecutiveGatewayFailure: null });
      let now = 0;
      const durations: number[] = [];
      for (let i = 0; i < expected.length; i++) {
        setTime(now);
        report(detector, 'a', times(5, '5xx'));
        const ejectedAt = now;
        // The cluster ticks every interval; the host returns on the first tick at or after its time.
        while (detector.isEjected('a')) {
          now += BASE.intervalMs;
          detector.tick(now);
        }
        durations.push(now - ejectedAt);
      }
      expect(durations).toEqual(expected);
      expect(events.filter((e) => e.startsWith('eject')).map((e) => Number(/ (\d+)ms/.exec(e)?.[1]))).toEqual(expected);
    });

    it('decays the multiplier by one per interval while the host stays healthy', () => {
      const { detector, setTime } = harness({ consecutiveGatewayFailure: null });
      report(detector, 'a', times(5, '5xx')); // ×1 at 0
      detector.tick(30_000);
      setTime(30_000);
      report(detector, 'a', times(5, '5xx')); // ×2 at 30 s
      detector.tick(90_000); // back at 90 s
      const observed: number[] = [];
      for (const now of [90_000, 95_000, 100_000, 110_000, 120_000]) {
        detector.tick(now);
        observed.push(detector.ejectionMultiplier('a'));
      }
      // Same-tick return and a tick under one interval later do not decay.
      expect(observed).toEqual([2, 2, 1, 0, 0]);
      setTime(120_000);
      report(detector, 'a', times(5, '5xx'));
      expect([detector.ejectionMultiplier('a'), detector.numEjections('a')]).toEqual([1, 3]);
    });

    it('does not decay while ejected', () => {
      const { detector } = harness({ consecutiveGatewayFailure: null });
      report(detector, 'a', times(5, '5xx'));
      for (const now of [10_000, 20_000]) detector.tick(now);
      expect([detector.isEjected('a'), detector.ejectionMultiplier('a')]).toEqual([true, 1]);
    });

    it('reports eject and uneject with their times', () => {
      const { detector, events, setTime } = harness();
      setTime(1_000);
      report(detector, 'a', times(5, 'gateway'));
      detector.tick(11_000);
      detector.tick(31_000);
      expect(events).toEqual(['eject a consecutive_gateway_failure 30000ms @1000', 'uneject a @31000']);
    });
  });

  it('enforces the configured percentage of detections (30 % ± 2 %, 10 000 hosts)', () => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => `h${i}`);
    const detector = new ConsecutiveErrorsDetector<string>(
      { ...BASE, consecutiveGatewayFailure: null, enforcingConsecutive5xx: 30 },
      { clock: () => 0, random: seeded(42) },
    );
    detector.setHosts(hosts);
    for (const host of hosts) report(detector, host, times(5, '5xx'));
    expect(detector.stats.ejectionsDetectedConsecutive5xx).toBe(10_000);
    // σ = √(0.3 × 0.7 / 10 000) ≈ 0.46 %: ±2 % is over 4σ.
    expect(Math.abs(detector.ejectedCount / 10_000 - 0.3)).toBeLessThan(0.02);
  });
});
