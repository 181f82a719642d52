import { bucketOf, isStorable, windowBuckets, windowSeconds } from './buckets';

describe('window buckets', () => {
  const now = 1_700_000_125_500; // 5.5 s into the bucket starting at ...120

  it.each([
    [1_700_000_120_000, 1_700_000_120],
    [1_700_000_129_999, 1_700_000_120],
    [1_700_000_130_000, 1_700_000_130],
  ])('bucketOf(%d) = %d', (ms, bucket) => expect(bucketOf(ms)).toBe(bucket));

  it.each([
    ['1m', 6],
    ['5m', 30],
    ['1h', 360],
  ] as const)('a %s window is %d buckets ending with the current one', (w, n) => {
    const b = windowBuckets(w, now);
    expect(b).toHaveLength(n);
    expect(b[b.length - 1]).toBe(1_700_000_120);
    expect((b[1] ?? 0) - (b[0] ?? 0)).toBe(10);
  });

  it('covers the full buckets plus the elapsed part of the current one', () => {
    expect(windowSeconds('1m', now)).toBeCloseTo(55.5, 3);
  });

  it('stores reports stamped within the last hour, not older or far in the future', () => {
    expect(isStorable(now - 3_599_000, now)).toBe(true);
    expect(isStorable(now - 3_601_000, now)).toBe(false);
    expect(isStorable(now + 120_000, now)).toBe(false);
  });
});
