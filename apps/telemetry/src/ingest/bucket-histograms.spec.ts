import { decodeLatency, newLatencyHistogram } from '@weft/api';
import { BucketHistograms } from './bucket-histograms';

function hist(...values: number[]) {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

describe('BucketHistograms', () => {
  const now = 1_700_000_100_000;

  it('writes the cumulative histogram of each changed edge, once per change', () => {
    const b = new BucketHistograms('r1');
    b.add(1_700_000_100, 'e1', hist(1, 2));
    b.add(1_700_000_100, 'e1', hist(3));
    const [w] = b.drain();
    expect(w?.field).toBe('e1\nr1.0');
    expect(w === undefined ? 0 : decodeLatency(w.encoded).totalCount).toBe(3);
    expect(b.drain()).toEqual([]);
    b.add(1_700_000_100, 'e1', hist(4));
    expect(b.drain().map((x) => decodeLatency(x.encoded).totalCount)).toEqual([4]);
  });

  it('re-marks failed writes, and gives a late report for a forgotten bucket a new field', () => {
    const b = new BucketHistograms('r1');
    b.add(1_700_000_000, 'e1', hist(1));
    const writes = b.drain();
    b.restore(writes);
    expect(b.drain().map((w) => w.field)).toEqual(['e1\nr1.0']);
    b.evict(now);
    expect(b.size).toBe(0);
    b.add(1_700_000_000, 'e1', hist(2));
    expect(b.drain().map((w) => w.field)).toEqual(['e1\nr1.1']);
  });
});
