import { EDGE_COUNTERS } from '../windows/edge-key';
import { ISTIO_DURATION_BUCKETS_MS } from '../metrics/istio-labels';

/** Slots of a request series: requests, request bytes, response bytes, duration sum (µs), then one per Istio bucket. */
export const SERIES_SLOTS = 4 + ISTIO_DURATION_BUCKETS_MS.length;
export const SERIES = { req: 0, reqB: 1, respB: 2, sumUs: 3, bucket0: 4 } as const;
/** Slots of a TCP series. */
export const TCP_SLOTS = ['sent', 'received', 'opened', 'closed'] as const;

function addInto(map: Map<string, number[]>, key: string, size: number): number[] {
  let slots = map.get(key);
  if (slots === undefined) {
    slots = new Array<number>(size).fill(0);
    map.set(key, slots);
  }
  return slots;
}

function absorbSlots(into: Map<string, number[]>, from: Map<string, number[]>, size: number): void {
  for (const [k, v] of from) {
    const mine = addInto(into, k, size);
    for (let i = 0; i < size; i++) mine[i] = (mine[i] as number) + (v[i] as number);
  }
}

/**
 * What one replica ingested since its last flush, in memory: window counters per bucket key and edge,
 * Prometheus totals per series, mesh counters and loss accounting. Folding a report costs a few Map
 * lookups per edge; a flush writes the lot with one MULTI pipeline.
 */
export class IngestBatch {
  /** Window bucket counters key → edge id → counts in {@link EDGE_COUNTERS} order. */
  readonly windows = new Map<string, Map<string, number[]>>();
  /** Request series key → {@link SERIES_SLOTS} totals. */
  readonly series = new Map<string, number[]>();
  /** TCP series key → {@link TCP_SLOTS} totals. */
  readonly tcp = new Map<string, number[]>();
  /** Plain hash increments (mesh counters): key → field → delta. */
  readonly counters = new Map<string, Map<string, number>>();
  /** Per proxy boot: reports received and the highest report number. */
  readonly seq = new Map<string, { n: number; max: number }>();
  reports = 0;
  records = 0;
  /** Requests whose Prometheus series the SeriesGuard refused. */
  refusedSeries = 0;
  readonly createdAt: number;

  constructor(now: number) {
    this.createdAt = now;
  }

  /** The counters of an edge in a window bucket (created at zero). */
  windowEdge(bucketKey: string, edgeId: string): number[] {
    let edges = this.windows.get(bucketKey);
    if (edges === undefined) {
      edges = new Map();
      this.windows.set(bucketKey, edges);
    }
    return addInto(edges, edgeId, EDGE_COUNTERS.length);
  }

  requestSeries(key: string): number[] {
    return addInto(this.series, key, SERIES_SLOTS);
  }

  tcpSeries(key: string): number[] {
    return addInto(this.tcp, key, TCP_SLOTS.length);
  }

  add(key: string, field: string, n: number): void {
    if (n === 0) return;
    let fields = this.counters.get(key);
    if (fields === undefined) {
      fields = new Map();
      this.counters.set(key, fields);
    }
    fields.set(field, (fields.get(field) ?? 0) + n);
  }

  noteSeq(id: string, seq: number): void {
    const s = this.seq.get(id);
    if (s === undefined) this.seq.set(id, { n: 1, max: seq });
    else {
      s.n++;
      if (seq > s.max) s.max = seq;
    }
  }

  get empty(): boolean {
    return this.reports === 0 && this.counters.size === 0 && this.series.size === 0 && this.tcp.size === 0;
  }

  /** Adds everything `other` holds (a batch whose write failed, retried with this one). */
  absorb(other: IngestBatch): void {
    for (const [key, edges] of other.windows) {
      for (const [id, v] of edges) {
        const mine = this.windowEdge(key, id);
        for (let i = 0; i < v.length; i++) mine[i] = (mine[i] as number) + (v[i] as number);
      }
    }
    absorbSlots(this.series, other.series, SERIES_SLOTS);
    absorbSlots(this.tcp, other.tcp, TCP_SLOTS.length);
    for (const [key, fields] of other.counters) for (const [f, n] of fields) this.add(key, f, n);
    for (const [id, s] of other.seq) {
      const mine = this.seq.get(id);
      if (mine === undefined) this.seq.set(id, { ...s });
      else {
        mine.n += s.n;
        mine.max = Math.max(mine.max, s.max);
      }
    }
    this.reports += other.reports;
    this.records += other.records;
    this.refusedSeries += other.refusedSeries;
  }
}
