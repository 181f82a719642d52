import { ThresholdCounter, type ProbeVerdict, type StoredProbe } from './threshold-counter';

type Step = [ok: boolean, stored: StoredProbe, due: ProbeVerdict | null];
const P = true;
const F = false;

describe('ThresholdCounter (healthy 2, unhealthy 3)', () => {
  it.each<[string, Step[]]>([
    ['an unknown instance passes after 2 successes', [[P, 'unknown', null], [P, 'unknown', 'passing']]],
    ['it fails after 3 consecutive failures', [[F, 'unknown', null], [F, 'unknown', null], [F, 'unknown', 'failing']]],
    [
      'a success in between resets the failure count',
      [[F, 'passing', null], [F, 'passing', null], [P, 'passing', null], [F, 'passing', null], [F, 'passing', null], [F, 'passing', 'failing']],
    ],
    ['a failure in between resets the success count', [[P, 'failing', null], [F, 'failing', null], [P, 'failing', null], [P, 'failing', 'passing']]],
    ['nothing is due while the stored state already matches', [[P, 'passing', null], [P, 'passing', null], [P, 'passing', null]]],
    [
      'a verdict stays due until it is stored (a failed write is retried on the next probe)',
      [[F, 'passing', null], [F, 'passing', null], [F, 'passing', 'failing'], [F, 'passing', 'failing'], [F, 'failing', null]],
    ],
    ['a stored state changed elsewhere is corrected', [[P, 'unknown', null], [P, 'unknown', 'passing'], [P, 'failing', 'passing']]],
  ])('%s', (_name, steps) => {
    const c = new ThresholdCounter(2, 3);
    expect(steps.map(([ok, stored]) => c.observe(ok, stored))).toEqual(steps.map((s) => s[2]));
  });

  it('with thresholds of 1 every flip is due at once', () => {
    const c = new ThresholdCounter(1, 1);
    expect([c.observe(F, 'unknown'), c.observe(P, 'failing'), c.observe(F, 'passing')]).toEqual(['failing', 'passing', 'failing']);
  });
});
