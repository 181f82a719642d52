/**
 * What one replica ingested since its last flush, as Redis hash increments: key → field → delta.
 * Folding reports touches only this in-memory map; a flush writes it with one MULTI pipeline.
 */
export class IngestBatch {
  readonly counters = new Map<string, Map<string, number>>();
  /** Keys that expire (window buckets). */
  readonly expiring = new Set<string>();
  /** Per proxy boot: reports received and the highest report number. */
  readonly seq = new Map<string, { n: number; max: number }>();
  reports = 0;
  records = 0;
  readonly createdAt: number;

  constructor(now: number) {
    this.createdAt = now;
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
    return this.reports === 0 && this.counters.size === 0;
  }

  /** Adds everything `other` holds (a batch whose write failed, retried with this one). */
  absorb(other: IngestBatch): void {
    for (const [key, fields] of other.counters) for (const [f, n] of fields) this.add(key, f, n);
    for (const k of other.expiring) this.expiring.add(k);
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
  }
}
