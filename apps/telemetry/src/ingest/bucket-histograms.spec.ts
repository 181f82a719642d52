import { decodeLatency } from '@weft/api';
import { BucketHistograms } from './bucket-histograms';

/** (value, 1) pairs. */
function pairs(...values: number[]): number[] {
  return values.flatMap((v) => [v, 1]);
}

describe('BucketHistograms', () => {
  const now = 1_700_000_100_000;

  it('writes the cumulative histogram of each changed edge, once per change', () => {
    const b = new BucketHistograms('r1');
    b.add(1_700_000_100, 'e1', pairs(1, 2), 0, 4);
    b.add(1_700_000_100, 'e1', pairs(3), 0, 2);
    const [w] = b.drain();
    expect(w?.field).toBe('e1\nr1.0');
    expect(w === undefined ? 0 : decodeLatency(w.encoded).totalCount).toBe(3);
    expect(b.drain()).toEqual([]);
    b.add(1_700_000_100, 'e1', pairs(4), 0, 2);
    expect(b.drain().map((x) => decodeLatency(x.encoded).totalCount)).toEqual([4]);
  });

  it('records only the given slice of value pairs, with their counts', () => {
    const b = new BucketHistograms('r1');
    b.add(1_700_000_100, 'e1', [9, 1, 5, 3, 40, 2, 7, 1], 2, 6);
    const h = decodeLatency(b.drain()[0]?.encoded ?? '');
    expect([h.totalCount, h.minNonZeroValue, h.maxValue]).toEqual([5, 5, 40]);
  });

  it('re-marks failed writes, and gives a late report for a forgotten bucket a new field', () => {
    const b = new BucketHistograms('r1');
    b.add(1_700_000_000, 'e1', pairs(1), 0, 2);
    const writes = b.drain();
    b.restore(writes);
    expect(b.drain().map((w) => w.field)).toEqual(['e1\nr1.0']);
    b.evict(now);
    expect(b.size).toBe(0);
    b.add(1_700_000_000, 'e1', pairs(2), 0, 2);
    expect(b.drain().map((w) => w.field)).toEqual(['e1\nr1.1']);
  });
});
