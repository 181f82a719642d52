import { SeriesGuard } from './series-guard';

describe('SeriesGuard', () => {
  it('accepts new series below the limit and only known ones at it', () => {
    const g = new SeriesGuard(2);
    expect([g.allow('a'), g.allow('b'), g.allow('c'), g.allow('a')]).toEqual([true, true, false, true]);
  });

  it('counts the series other replicas wrote (HLEN after a flush)', () => {
    const g = new SeriesGuard(3);
    g.observe(3);
    expect(g.allow('x')).toBe(false);
    g.observe(1);
    expect([g.allow('x'), g.allow('y'), g.allow('z')]).toEqual([true, true, false]);
  });
});
