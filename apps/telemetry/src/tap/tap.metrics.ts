import { Counter, Gauge, type Registry } from 'prom-client';

/** Per-replica tap figures (`weft_telemetry_tap_*`). */
export class TapMetrics {
  readonly sessions: Gauge;
  readonly records: Counter;
  readonly dropped: Counter<'reason'>;
  readonly invalid: Counter;
  readonly heartbeatsFailed: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sessions = new Gauge({ name: 'weft_telemetry_tap_sessions', help: 'Tap clients this replica is streaming to', registers });
    this.records = new Counter({ name: 'weft_telemetry_tap_records_total', help: 'Tap records streamed to clients by this replica', registers });
    this.dropped = new Counter({
      name: 'weft_telemetry_tap_dropped_total',
      help: 'Tap records not streamed, by reason (proxy: the proxies skipped them, rate limit or full buffer; client: the client read too slowly)',
      labelNames: ['reason'],
      registers,
    });
    this.invalid = new Counter({ name: 'weft_telemetry_tap_batches_invalid_total', help: 'Tap batches that were not the contract (ignored)', registers });
    this.heartbeatsFailed = new Counter({ name: 'weft_telemetry_tap_heartbeats_failed_total', help: 'Tap heartbeats that could not be published (NATS connection closed)', registers });
  }
}
