/** Every Redis key telemetry writes, under `<WEFT_REDIS_PREFIX>telemetry:`. */
export class TelemetryKeys {
  readonly root: string;

  constructor(prefix: string) {
    this.root = `${prefix}telemetry:`;
  }

  /** Per-edge counters of one 10 s bucket (hash `<counter>\n<edgeId>` → n). */
  bucketCounters(bucket: number): string {
    return `${this.root}w:${bucket}:c`;
  }

  /** Latency histograms of one bucket (hash `<edgeId>\n<writer generation>` → base64 HDR). */
  bucketHistograms(bucket: number): string {
    return `${this.root}w:${bucket}:h`;
  }

  /** Cumulative Prometheus totals of one family (no expiry). */
  totals(family: 'req' | 'dur' | 'reqb' | 'respb' | 'tcp'): string {
    return `${this.root}tot:${family}`;
  }

  /** Mesh-wide ingest counters (reports, records, what proxies dropped). */
  mesh(): string {
    return `${this.root}mesh`;
  }

  /** Reports received per proxy boot (hash) and the highest report number seen (sorted set). */
  seqReceived(): string {
    return `${this.root}seq:n`;
  }

  seqMax(): string {
    return `${this.root}seq:max`;
  }

  trace(traceId: string): string {
    return `${this.root}trace:${traceId}`;
  }

  /** Trace ids by last span time (ms); `service` null: every trace. */
  traceIndex(service: string | null): string {
    return service === null ? `${this.root}traces` : `${this.root}traces:svc:${service}`;
  }

  /** Service names seen in spans, by last time seen (ms). */
  traceServices(): string {
    return `${this.root}trace-services`;
  }

  /** Span names (`names`) or remote service names (`remote`) seen for a local service, by last time seen (ms). */
  traceNames(kind: 'names' | 'remote', service: string): string {
    return `${this.root}trace-${kind}:${service}`;
  }

  /** Capped list of recent access logs (`service` null: the whole mesh). */
  logs(service: string | null): string {
    return service === null ? `${this.root}logs` : `${this.root}logs:svc:${service}`;
  }
}
