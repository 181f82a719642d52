import type { ConfigSnapshot } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import type { SnapshotAssembler } from './snapshot-assembler';

/** Where complete snapshots go (the proxy: atomic swap, in-flight requests keep theirs). */
export interface XdsSink {
  apply(snapshot: ConfigSnapshot): Promise<void>;
}

/**
 * Assembles and applies snapshots, one apply at a time: changes that arrive during an apply are
 * folded into the next one. Nothing is applied before `gate()` opens (the first complete, warm
 * config, or the cache); after that, every change that alters the snapshot is applied.
 */
export class ConfigPublisher {
  private running: Promise<void> | null = null;
  private again = false;
  private published = false;

  constructor(
    private readonly assembler: SnapshotAssembler,
    private readonly sink: XdsSink,
    private readonly gate: () => boolean,
    private readonly onApplied: () => void,
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
  ) {}

  /** A snapshot has been applied (the proxy serves xDS config). */
  get warm(): boolean {
    return this.published;
  }

  schedule(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = null));
  }

  /** Resolves when no assembly or apply is under way. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.publish();
    } while (this.again);
  }

  private async publish(): Promise<void> {
    const a = this.assembler.assemble();
    for (const p of a.problems) this.log.warn({ problem: p }, 'xds resource not usable');
    if (!this.published && !this.gate()) return;
    if (!a.changed && this.published) return this.assembler.commit(a);
    try {
      await this.sink.apply(a.snapshot);
    } catch (err) {
      this.metrics.configRejections.inc();
      this.log.error({ err: (err as Error).message, version: a.snapshot.version }, 'xds snapshot not applied; keeping the running one');
      return;
    }
    this.assembler.commit(a);
    if (a.warming.listeners.length + a.warming.clusters.length > 0) this.log.info({ warming: a.warming }, 'xds resources warming');
    this.published = true;
    this.onApplied();
  }
}
