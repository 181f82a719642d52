import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { TAP_EXPIRY_MS, tapActiveSubject, tapBatch, tapRecordsSubject, type TapRequest } from '@weft/api';
import { BoundedLineWriter, type LineSink } from './bounded-line-writer';
import type { TapMetrics } from './tap.metrics';

/** Where a session streams to: an http.ServerResponse in practice. */
export interface TapOutput extends LineSink {
  end(): unknown;
}

export interface TapSessionSpec {
  readonly tapId: string;
  readonly service: string;
  readonly namespace: string | null;
  /** Stop after this many records (null: no limit). */
  readonly limit: number | null;
  /** Epoch ms at which the session ends (null: while the client stays). */
  readonly deadline: number | null;
}

export interface TapSessionSettings {
  readonly subjectPrefix: string;
  readonly heartbeatMs: number;
  /** Lines held for a client that reads too slowly before records are dropped. */
  readonly maxQueued: number;
  readonly now: () => number;
}

/**
 * One tap client: subscribes to its records subject, announces the tap on the tap-active subject now
 * and every heartbeat, and streams each record as one NDJSON line; drops (the proxies' and its own,
 * for a slow client) become `{"dropped":n}` lines. Ends at the limit, the deadline, or end().
 */
export class TapSession {
  private readonly writer: BoundedLineWriter;
  private sub: Subscription | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopTimer: NodeJS.Timeout | null = null;
  private sent = 0;
  private pendingDropped = 0;
  private ended = false;

  constructor(
    private readonly nats: NatsConnection,
    readonly spec: TapSessionSpec,
    private readonly settings: TapSessionSettings,
    private readonly out: TapOutput,
    private readonly metrics: TapMetrics,
    private readonly onEnd: (session: TapSession) => void,
  ) {
    this.writer = new BoundedLineWriter(out, settings.maxQueued, (n) => metrics.dropped.inc({ reason: 'client' }, n));
  }

  start(): void {
    this.sub = this.nats.subscribe(tapRecordsSubject(this.spec.tapId, this.settings.subjectPrefix), {
      callback: (err, msg) => {
        if (err === null) this.onBatch(msg.data);
      },
    });
    this.announce();
    this.heartbeat = setInterval(() => this.announce(), this.settings.heartbeatMs);
    if (this.spec.deadline !== null) {
      this.stopTimer = setTimeout(() => this.end(), Math.max(0, this.spec.deadline - this.settings.now()));
    }
  }

  /** Stops announcing and listening, reports what is still counted as dropped, ends the stream. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    if (this.stopTimer !== null) clearTimeout(this.stopTimer);
    try {
      this.sub?.unsubscribe();
    } catch {
      // the connection is already closed: nothing is subscribed any more
    }
    this.reportDropped();
    this.writer.finish(() => this.out.end());
    this.onEnd(this);
  }

  private announce(): void {
    const now = this.settings.now();
    const request: TapRequest = {
      v: 1,
      tapId: this.spec.tapId,
      service: this.spec.service,
      namespace: this.spec.namespace,
      expiresAt: Math.min(this.spec.deadline ?? Number.MAX_SAFE_INTEGER, now + TAP_EXPIRY_MS),
    };
    try {
      this.nats.publish(tapActiveSubject(this.settings.subjectPrefix), JSON.stringify(request));
    } catch {
      // NATS closed for good: proxies stop hearing the tap and forget it; the client keeps its stream
      this.metrics.heartbeatsFailed.inc();
    }
  }

  private onBatch(data: Uint8Array): void {
    if (this.ended) return;
    const batch = parseBatch(data);
    if (batch === null || batch.tapId !== this.spec.tapId) {
      this.metrics.invalid.inc();
      return;
    }
    this.pendingDropped += batch.dropped;
    this.metrics.dropped.inc({ reason: 'proxy' }, batch.dropped);
    for (const record of batch.records) {
      if (this.spec.limit !== null && this.sent >= this.spec.limit) break;
      if (this.writer.push(JSON.stringify(record))) {
        this.sent++;
        this.metrics.records.inc();
      }
    }
    this.reportDropped();
    if (this.spec.limit !== null && this.sent >= this.spec.limit) this.end();
  }

  private reportDropped(): void {
    this.pendingDropped += this.writer.takeDropped();
    if (this.pendingDropped === 0 || !this.writer.hasRoom) return;
    this.writer.push(JSON.stringify({ dropped: this.pendingDropped }));
    this.pendingDropped = 0;
  }
}

function parseBatch(data: Uint8Array) {
  try {
    const parsed = tapBatch.safeParse(JSON.parse(Buffer.from(data).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
