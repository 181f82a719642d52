import type { Histogram } from 'hdr-histogram-js';
import { encodeLatency, newLatencyHistogram } from '@weft/api';
import { BUCKET_SECONDS } from '../windows/buckets';

/** One histogram to write: the field this replica owns in a bucket's histogram hash. */
export interface HistogramWrite {
  readonly bucket: number;
  readonly field: string;
  readonly encoded: string;
}

interface BucketState {
  readonly generation: string;
  readonly hists: Map<string, Histogram>;
  readonly dirty: Set<string>;
}

/**
 * Buckets older than this are dropped from memory (a histogram of one edge is 8-50 KB); a late report
 * for a dropped bucket starts a new generation (a new field), so nothing is overwritten.
 */
const KEEP_SECONDS = 3 * BUCKET_SECONDS;

/**
 * The latency histograms this replica merged per bucket and edge. Each replica writes only its own
 * fields (`<edgeId>\n<generation>`) with the cumulative histogram, so concurrent replicas never race on
 * a read-modify-write; readers merge every field of a bucket.
 */
export class BucketHistograms {
  private readonly buckets = new Map<number, BucketState>();
  private generations = 0;

  constructor(private readonly writer: string) {}

  /** Records the (value, count) pairs `values[from..to)` into the bucket's histogram of the edge. */
  add(bucket: number, edgeId: string, values: readonly number[], from: number, to: number): void {
    let state = this.buckets.get(bucket);
    if (state === undefined) {
      state = { generation: `${this.writer}.${this.generations++}`, hists: new Map(), dirty: new Set() };
      this.buckets.set(bucket, state);
    }
    let mine = state.hists.get(edgeId);
    if (mine === undefined) {
      mine = newLatencyHistogram();
      state.hists.set(edgeId, mine);
    }
    for (let i = from; i < to; i += 2) mine.recordValueWithCount(values[i] as number, values[i + 1] as number);
    state.dirty.add(edgeId);
  }

  /** Encodes every histogram changed since the last drain. */
  drain(): HistogramWrite[] {
    const out: HistogramWrite[] = [];
    for (const [bucket, state] of this.buckets) {
      for (const edgeId of state.dirty) {
        const h = state.hists.get(edgeId);
        if (h !== undefined) out.push({ bucket, field: `${edgeId}\n${state.generation}`, encoded: encodeLatency(h) });
      }
      state.dirty.clear();
    }
    return out;
  }

  /** Marks drained histograms dirty again (their write failed). */
  restore(writes: readonly HistogramWrite[]): void {
    for (const w of writes) {
      const state = this.buckets.get(w.bucket);
      if (state !== undefined) state.dirty.add(w.field.slice(0, w.field.lastIndexOf('\n')));
    }
  }

  /** Forgets buckets that can no longer change much (called after each flush). */
  evict(nowMs: number): void {
    const oldest = Math.floor(nowMs / 1000) - KEEP_SECONDS;
    for (const [bucket, state] of this.buckets) if (bucket < oldest && state.dirty.size === 0) this.buckets.delete(bucket);
  }

  get size(): number {
    return this.buckets.size;
  }
}
