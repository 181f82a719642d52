import type { JsHistogram } from 'hdr-histogram-js';
import { LATENCY_LIST_PREFIX, decodeLatency, newLatencyHistogram, parseLatencyList } from '@weft/api';
import { ISTIO_DURATION_BUCKETS_MS } from '../metrics/istio-labels';

/** Only its (pure) bucket arithmetic is used: every latency histogram has the same layout. */
const LAYOUT = newLatencyHistogram() as JsHistogram;
const LAST_BUCKET = ISTIO_DURATION_BUCKETS_MS.length - 1;

/**
 * Appends an edge's latency values to `out` as (value, count) pairs and returns how many values it
 * holds. The value-list form is scanned as is; the compressed form (older proxies) is inflated into a
 * histogram whose non-empty buckets become the pairs. Throws when neither form decodes.
 */
export function appendLatencyValues(encoded: string, out: number[]): number {
  if (encoded.startsWith(LATENCY_LIST_PREFIX)) return parseLatencyList(encoded, out);
  const h = decodeLatency(encoded) as JsHistogram;
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const step = it.next();
    out.push(h.lowestEquivalentValue(step.valueIteratedTo), step.countAddedInThisIterationStep);
  }
  return h.totalCount;
}

/**
 * Adds the pairs `values[from..to)` to cumulative Istio duration buckets at `slots[offset…]` and
 * returns their sum in ms (each value counted at the median of its HDR bucket), exactly as
 * `addIstioBuckets` does for a histogram.
 */
export function addIstioBucketsOfValues(values: readonly number[], from: number, to: number, slots: number[], offset: number): number {
  let sum = 0;
  for (let p = from; p < to; p += 2) {
    const raw = values[p] as number;
    const n = values[p + 1] as number;
    const value = LAYOUT.lowestEquivalentValue(raw);
    sum += LAYOUT.medianEquivalentValue(raw) * n;
    for (let i = LAST_BUCKET; i >= 0 && value <= (ISTIO_DURATION_BUCKETS_MS[i] as number); i--) slots[offset + i] = (slots[offset + i] as number) + n;
  }
  return sum;
}
