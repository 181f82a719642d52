import { decodeLatency, encodeLatency, encodeLatencyList, newLatencyHistogram, parseLatencyList } from './latency-histogram';

function hist(values: readonly number[]) {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

describe('latency histogram wire forms', () => {
  it.each([
    ['one value', [7], 'ms:7'],
    ['repeated values with counts', [4, 4, 12, 40, 40, 40], 'ms:4*2,12,40*3'],
    ['zero (a response in under a millisecond rounds up, but 0 stays representable)', [0, 1], 'ms:0,1'],
    ['values above 2048 ms at the lowest value of their HDR bucket', [2049, 2050, 100_003], 'ms:2048,2050,99968'],
  ])('lists %s', (_what, values, text) => {
    expect(encodeLatencyList(hist(values))).toBe(text);
  });

  it('decodes both forms into the same histogram', () => {
    const h = hist([1, 3, 3, 250, 2500, 61_000]);
    const fromList = decodeLatency(encodeLatencyList(h));
    const fromCompressed = decodeLatency(encodeLatency(h));
    for (const d of [fromList, fromCompressed]) {
      expect(d.totalCount).toBe(6);
      expect([50, 90, 99].map((p) => d.getValueAtPercentile(p))).toEqual([50, 90, 99].map((p) => h.getValueAtPercentile(p)));
    }
    expect(encodeLatency(fromList)).toBe(encodeLatency(fromCompressed));
  });

  it('parses a list into (value, count) pairs and returns the number of values', () => {
    const out = [99];
    expect(parseLatencyList('ms:4*2,12,40*3', out)).toBe(6);
    expect(out).toEqual([99, 4, 2, 12, 1, 40, 3]);
  });

  it.each([
    ['no values', 'ms:', /empty/],
    ['a non-number', 'ms:4,x', /expected a number at 5/],
    ['descending values', 'ms:12,4', /strictly ascending/],
    ['a repeated value', 'ms:4,4', /strictly ascending/],
    ['a zero count', 'ms:4*0', /not ≥ 1/],
    ['a trailing comma', 'ms:4,', /trailing comma/],
    ['another separator', 'ms:4;5', /unexpected character at 4/],
    ['a negative value', 'ms:-4', /expected a number/],
    ['a fraction', 'ms:4.5', /unexpected character/],
    ['a value beyond 2^40 ms', 'ms:1099511627777', /above/],
    ['a count of more than 15 digits', 'ms:1*1234567890123456', /unexpected character/],
  ])('rejects a list with %s', (_what, text, reason) => {
    expect(() => parseLatencyList(text, [])).toThrow(reason);
    expect(() => decodeLatency(text)).toThrow(reason);
  });
});
