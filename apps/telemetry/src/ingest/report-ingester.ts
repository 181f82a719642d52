import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { TELEMETRY_QUEUE } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { BatchWriter } from './batch-writer';
import type { BucketHistograms } from './bucket-histograms';
import { IngestBatch } from './ingest-batch';
import type { IngestMetrics } from './ingest.metrics';
import { decodeReport, rejectionReason } from './message-decoder';
import type { ReportFolder } from './report-folder';
import type { SeriesGuard } from './series-guard';

export interface ReportIngesterOptions {
  readonly subject: string;
  readonly flushMs: number;
  /** A batch Redis did not take for this long is dropped and counted as lost. */
  readonly maxPendingMs: number;
  readonly now?: () => number;
  /** Told the series count after each flush. */
  readonly guard?: SeriesGuard;
}

/**
 * Consumes proxy reports in the `weft-telemetry` queue group (each report reaches one replica), folds
 * them in memory and flushes every `flushMs` with one Redis MULTI. While Redis is away the batch is
 * kept and retried (new reports fold into it); after `maxPendingMs` it is dropped and counted.
 */
export class ReportIngester {
  private batch: IngestBatch;
  private sub: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly nats: NatsConnection,
    private readonly folder: ReportFolder,
    private readonly hists: BucketHistograms,
    private readonly writer: BatchWriter,
    private readonly metrics: IngestMetrics,
    private readonly options: ReportIngesterOptions,
    logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
    this.batch = new IngestBatch(this.now());
    this.log = logger.child({ component: 'report-ingester' });
  }

  start(): void {
    this.sub = this.nats.subscribe(this.options.subject, {
      queue: TELEMETRY_QUEUE,
      callback: (err, msg) => {
        if (err === null) this.handle(msg.data);
      },
    });
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
  }

  /** Validates and folds one report; a bad one is counted, never thrown. */
  handle(data: Uint8Array): void {
    this.metrics.reports.inc({ kind: 'reports' });
    try {
      const report = decodeReport(data);
      const r = this.folder.fold(report, this.batch, this.now());
      this.metrics.records.inc(r.records);
      this.metrics.pending.inc(r.records);
      if (!r.inWindow) this.metrics.outOfWindow.inc();
    } catch (err) {
      this.metrics.invalid.inc({ kind: 'reports', reason: rejectionReason(err) });
      this.log.debug({ err: (err as Error).message }, 'report rejected');
    }
  }

  /** Writes what was folded since the last flush (one at a time). */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const batch = this.batch;
    this.batch = new IngestBatch(this.now());
    const hists = this.hists.drain();
    if (batch.empty && hists.length === 0) return;
    const end = this.metrics.flushSeconds.startTimer();
    try {
      const series = await this.writer.write(batch, hists);
      this.options.guard?.observe(series);
      end();
      if (batch.refusedSeries > 0) this.metrics.refusedSeries.inc(batch.refusedSeries);
      this.metrics.flushes.inc({ result: 'ok' });
      this.metrics.pending.dec(batch.records);
      this.hists.evict(this.now());
    } catch (err) {
      this.metrics.flushes.inc({ result: 'error' });
      this.retryLater(batch, hists, err);
    }
  }

  private retryLater(batch: IngestBatch, hists: Parameters<BucketHistograms['restore']>[0], err: unknown): void {
    if (this.now() - batch.createdAt > this.options.maxPendingMs) {
      this.metrics.lost.inc({ reason: 'redis' }, batch.records);
      this.metrics.pending.dec(batch.records);
      this.log.error({ err: (err as Error).message, records: batch.records, reports: batch.reports }, 'redis away too long: batch dropped');
      return;
    }
    this.log.warn({ err: (err as Error).message, records: batch.records }, 'flush failed: retrying');
    const next = this.batch;
    this.batch = batch;
    batch.absorb(next);
    this.hists.restore(hists);
  }

  /** Stops consuming (messages already delivered are processed), then writes what is left. */
  async stop(): Promise<void> {
    if (this.sub !== null) await this.sub.drain().catch(() => undefined);
    if (this.timer !== null) clearInterval(this.timer);
    await this.flush();
  }
}
