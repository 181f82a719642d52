import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram, type JsHistogram } from 'hdr-histogram-js';

/**
 * Latency histograms of the report contract: HDR histograms of whole milliseconds (a duration is
 * rounded up, so "≤ N ms" stays exact for integer N), 3 significant digits, auto-resizing.
 *
 * Two wire forms of an edge's `latency` string:
 * - the value list (what EdgeAccumulator sends): `ms:` then `value[*count]` comma-separated, values
 *   strictly ascending whole ms (each the lowest value of its HDR bucket), `*count` omitted for 1 —
 *   `ms:4*2,12,40*3`. Decoding is a string scan, no inflate and no histogram per edge;
 * - hdr-histogram-js `encodeIntoCompressedBase64` (the HdrHistogram V2 compressed format): what older
 *   proxies send, still accepted; it is also the storage form of merged histograms in Redis.
 */
export function newLatencyHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

/** Prefix of the value-list form of a latency histogram. */
export const LATENCY_LIST_PREFIX = 'ms:';
/** Largest value of the value-list form (2^40 ms, about 35 years). */
export const LATENCY_LIST_MAX_VALUE = 2 ** 40;

/** Milliseconds (fractional allowed) → the value recorded: whole milliseconds, rounded up, ≥ 0. */
export function latencyValue(durationMs: number): number {
  return durationMs > 0 ? Math.ceil(durationMs) : 0;
}

/** The compressed V2 form (storage, and what older proxies send). */
export function encodeLatency(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** The value-list form (`ms:4*2,12`) of a histogram: every non-empty bucket's lowest value and count. */
export function encodeLatencyList(histogram: Histogram): string {
  const js = histogram as JsHistogram;
  const it = js.recordedValuesIterator;
  it.reset();
  let out = LATENCY_LIST_PREFIX;
  let first = true;
  while (it.hasNext()) {
    const step = it.next();
    const n = step.countAddedInThisIterationStep;
    const value = js.lowestEquivalentValue(step.valueIteratedTo);
    out += `${first ? '' : ','}${value}${n === 1 ? '' : `*${n}`}`;
    first = false;
  }
  return out;
}

/**
 * Appends the (value, count) pairs of a value-list form to `out` and returns the number of values
 * (sum of counts). Throws a message naming the problem when the text is not a well-formed list.
 */
export function parseLatencyList(text: string, out: number[]): number {
  const end = text.length;
  if (!text.startsWith(LATENCY_LIST_PREFIX) || end === LATENCY_LIST_PREFIX.length) throw new Error('empty value list');
  let i = LATENCY_LIST_PREFIX.length;
  let total = 0;
  let previous = -1;
  while (i < end) {
    const v = readNumber(text, i);
    const value = v.value;
    i = v.next;
    let count = 1;
    if (i < end && text.charCodeAt(i) === 42 /* * */) {
      const c = readNumber(text, i + 1);
      i = c.next;
      count = c.value;
      if (count < 1) throw new Error(`count ${count} of ${value} is not ≥ 1`);
    }
    if (value <= previous) throw new Error(`value ${value} after ${previous}: values must be strictly ascending`);
    if (value > LATENCY_LIST_MAX_VALUE) throw new Error(`value ${value} above ${LATENCY_LIST_MAX_VALUE}`);
    if (i < end && text.charCodeAt(i++) !== 44 /* , */) throw new Error(`unexpected character at ${i - 1}`);
    if (i === end && text.charCodeAt(end - 1) === 44) throw new Error('trailing comma');
    previous = value;
    total += count;
    out.push(value, count);
  }
  return total;
}

const scratch = { value: 0, next: 0 };

/** Reads 1-15 decimal digits at `i` (into a shared scratch object: no allocation per number). */
function readNumber(text: string, i: number): typeof scratch {
  let value = 0;
  let j = i;
  for (let c = text.charCodeAt(j); c >= 48 && c <= 57 && j - i < 15; c = text.charCodeAt(++j)) value = value * 10 + (c - 48);
  if (j === i) throw new Error(`expected a number at ${i}`);
  scratch.value = value;
  scratch.next = j;
  return scratch;
}

/** Decodes either wire form into a histogram; throws on malformed input. */
export function decodeLatency(encoded: string): Histogram {
  if (!encoded.startsWith(LATENCY_LIST_PREFIX)) return decodeFromCompressedBase64(encoded, 32, false);
  const pairs: number[] = [];
  parseLatencyList(encoded, pairs);
  const h = newLatencyHistogram();
  for (let i = 0; i < pairs.length; i += 2) h.recordValueWithCount(pairs[i] as number, pairs[i + 1] as number);
  return h;
}
