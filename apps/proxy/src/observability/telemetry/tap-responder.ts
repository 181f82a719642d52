import {
  TAP_EXPIRY_MS,
  TAP_MAX_RECORDS_PER_S,
  tapRecordsSubject,
  tapRequest,
  type AccessLogRecord,
  type Reporter,
  type TapBatch,
  type TapRecord,
  type TapRequest,
} from '@weft/api';

/** Records kept per tap between two batches (the contract's batch maximum). */
const MAX_BUFFERED = 1000;
const BATCH_MS = 100;

class ActiveTap {
  lastHeard: number;
  records: TapRecord[] = [];
  dropped = 0;
  windowStart = 0;
  inWindow = 0;
  readonly subject: string;

  constructor(
    public request: TapRequest,
    now: number,
    prefix: string,
  ) {
    this.lastHeard = now;
    this.subject = tapRecordsSubject(request.tapId, prefix);
  }

  matches(r: AccessLogRecord): boolean {
    const t = this.request;
    if (r.destination.service === t.service && (t.namespace === null || r.destination.namespace === t.namespace)) return true;
    return r.source.workload === t.service && (t.namespace === null || r.source.namespace === t.namespace);
  }

  /** Takes a record unless this second's allowance or the buffer is used up (then counts it). */
  offer(record: TapRecord, now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= TAP_MAX_RECORDS_PER_S || this.records.length >= MAX_BUFFERED) {
      this.dropped++;
      return false;
    }
    this.inWindow++;
    this.records.push(record);
    return true;
  }
}

export interface TapSink {
  publish(subject: string, payload: string): boolean;
}

/**
 * The proxy side of live tap (libs/api tap.schema.ts): remembers the taps announced on
 * `weft.telemetry.tap.active`, copies each finished request matching one into that tap's buffer
 * (at most {@link TAP_MAX_RECORDS_PER_S} a second, at most {@link MAX_BUFFERED} buffered; the rest
 * counted) and publishes a batch every 100 ms while records or drops are pending. No tap heard: one
 * `size` check per request. A batch that cannot be published (NATS away) is counted as dropped.
 */
export class TapResponder {
  private readonly taps = new Map<string, ActiveTap>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly proxy: TapBatch['proxy'],
    private readonly prefix: string,
    private readonly sink: TapSink,
    private readonly onDropped: (n: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): number {
    return this.taps.size;
  }

  /** A tap request heard on NATS (invalid ones are ignored). */
  onRequest(data: Uint8Array): void {
    let req: TapRequest;
    try {
      const parsed = tapRequest.safeParse(JSON.parse(Buffer.from(data).toString('utf8')));
      if (!parsed.success) return;
      req = parsed.data;
    } catch {
      return;
    }
    const now = this.now();
    const tap = this.taps.get(req.tapId);
    if (tap !== undefined) {
      tap.request = req;
      tap.lastHeard = now;
    } else if (req.expiresAt > now) {
      this.taps.set(req.tapId, new ActiveTap(req, now, this.prefix));
    }
    if (this.timer === null && this.taps.size > 0) {
      this.timer = setInterval(() => this.tick(), BATCH_MS);
      this.timer.unref();
    }
  }

  /** A finished request; called only when {@link active} > 0. */
  offer(record: AccessLogRecord, reporter: Reporter, authority: string): void {
    const now = this.now();
    let tapRecord: TapRecord | null = null;
    for (const tap of this.taps.values()) {
      if (!tap.matches(record)) continue;
      tapRecord ??= { ...record, reporter, authority: authority.slice(0, 1024) };
      if (!tap.offer(tapRecord, now)) this.onDropped(1);
    }
  }

  /** Publishes pending batches and forgets expired taps. */
  tick(): void {
    const now = this.now();
    for (const [id, tap] of this.taps) {
      this.publish(tap);
      if (now > tap.request.expiresAt || now - tap.lastHeard > TAP_EXPIRY_MS) this.taps.delete(id);
    }
    if (this.taps.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private publish(tap: ActiveTap): void {
    if (tap.records.length === 0 && tap.dropped === 0) return;
    const batch: TapBatch = { v: 1, tapId: tap.request.tapId, proxy: this.proxy, records: tap.records, dropped: tap.dropped };
    if (this.sink.publish(tap.subject, JSON.stringify(batch))) {
      tap.dropped = 0;
    } else {
      tap.dropped += tap.records.length;
      this.onDropped(tap.records.length);
    }
    tap.records = [];
  }

  close(): void {
    for (const tap of this.taps.values()) this.publish(tap);
    this.taps.clear();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
