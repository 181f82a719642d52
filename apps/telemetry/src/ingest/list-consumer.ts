import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import { TELEMETRY_QUEUE } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { IngestMetrics } from './ingest.metrics';
import { decodeMessage, rejectionReason } from './message-decoder';

/**
 * A queue-group consumer of array messages (spans, access logs): validates each message and hands it to
 * a store. Each message is already a batch from one proxy, so it is written as it comes (one MULTI).
 */
export class ListConsumer<S extends z.ZodType> {
  private sub: Subscription | null = null;
  private inFlight = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly nats: NatsConnection,
    private readonly subject: string,
    private readonly kind: 'spans' | 'logs',
    private readonly schema: S,
    private readonly store: (items: z.output<S>) => Promise<void>,
    private readonly metrics: IngestMetrics,
    logger: Logger,
  ) {
    this.log = logger.child({ component: `${kind}-consumer` });
  }

  start(): void {
    this.sub = this.nats.subscribe(this.subject, {
      queue: TELEMETRY_QUEUE,
      callback: (err, msg) => {
        if (err === null) this.handle(msg.data);
      },
    });
  }

  handle(data: Uint8Array): void {
    this.metrics.reports.inc({ kind: this.kind });
    let items: z.output<S>;
    try {
      items = decodeMessage(this.schema, data, this.kind);
    } catch (err) {
      this.metrics.invalid.inc({ kind: this.kind, reason: rejectionReason(err) });
      return;
    }
    const p = this.store(items)
      .catch((err: unknown) => {
        this.metrics.lost.inc({ reason: `${this.kind}-store` }, Array.isArray(items) ? items.length : 1);
        this.log.warn({ err: (err as Error).message }, 'store failed: batch dropped');
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async stop(): Promise<void> {
    if (this.sub !== null) await this.sub.drain().catch(() => undefined);
    await Promise.all(this.inFlight);
  }
}
