import { Counter, Gauge, type Registry } from 'prom-client';
import type { WatchHubStats } from './watch-hub';

/** Metrics of the watch hub (`weft_registry_watch_*`), on the replica's registry. */
export class WatchMetrics implements WatchHubStats {
  readonly resyncs: Counter;
  readonly dropped: Counter<'reason'>;
  readonly watchers: Gauge;

  constructor(registry: Registry) {
    this.resyncs = new Counter({
      name: 'weft_registry_watch_resyncs_total',
      help: 'Snapshots re-sent to watchers after a revision gap (missed events)',
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'weft_registry_watch_dropped_events_total',
      help: 'Events not delivered to a watcher: stale (duplicate or old revision) or invalid payload',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.watchers = new Gauge({
      name: 'weft_registry_watchers',
      help: 'Open watches on this replica',
      registers: [registry],
    });
  }

  resync(): void {
    this.resyncs.inc();
  }

  stale(): void {
    this.dropped.inc({ reason: 'stale' });
  }

  invalid(): void {
    this.dropped.inc({ reason: 'invalid' });
  }

  watching(open: number): void {
    this.watchers.set(open);
  }
}
