import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Per-replica ingest metrics (`weft_telemetry_*`): what THIS process received, rejected, wrote and lost.
 * Summing them over replicas gives the mesh's figures.
 */
export class IngestMetrics {
  readonly reports: Counter<'kind'>;
  readonly invalid: Counter<'kind' | 'reason'>;
  readonly records: Counter;
  readonly outOfWindow: Counter;
  readonly flushes: Counter<'result'>;
  readonly lost: Counter<'reason'>;
  readonly flushSeconds: Histogram;
  readonly pending: Gauge;
  readonly refusedSeries: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.reports = new Counter({ name: 'weft_telemetry_messages_received_total', help: 'NATS messages received by this replica, by kind (reports, spans, logs)', labelNames: ['kind'], registers });
    this.invalid = new Counter({
      name: 'weft_telemetry_messages_invalid_total',
      help: 'Messages rejected by this replica (not JSON, not the contract, bad histogram), by kind and reason',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.records = new Counter({ name: 'weft_telemetry_records_ingested_total', help: 'Request records (requests folded into report edges) ingested by this replica', registers });
    this.outOfWindow = new Counter({ name: 'weft_telemetry_reports_out_of_window_total', help: 'Reports stamped outside the kept windows (counted in totals only)', registers });
    this.flushes = new Counter({ name: 'weft_telemetry_flushes_total', help: 'Redis flushes of this replica by result (ok, error)', labelNames: ['result'], registers });
    this.lost = new Counter({
      name: 'weft_telemetry_records_lost_total',
      help: 'Records (requests, spans, log records) this replica received but dropped without storing, by reason (redis: Redis away longer than WEFT_TELEMETRY_MAX_PENDING_MS; spans-store, logs-store: a write failed)',
      labelNames: ['reason'],
      registers,
    });
    this.flushSeconds = new Histogram({
      name: 'weft_telemetry_flush_duration_seconds',
      help: 'Time of one Redis flush (one MULTI pipeline)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.refusedSeries = new Counter({
      name: 'weft_telemetry_series_refused_total',
      help: 'Requests left out of the istio_* totals because WEFT_TELEMETRY_MAX_SERIES was reached (still in the windows)',
      registers,
    });
    this.pending = new Gauge({ name: 'weft_telemetry_pending_records', help: 'Records received and not yet stored in Redis', registers });
  }
}
