import type { Registry } from 'prom-client';
import { renderIstioMetrics } from './istio-exposition';
import type { MeshIngest, MeshMetricsRepository } from './mesh-metrics.repository';

function meshFamilies(m: MeshIngest): string {
  const lines = [
    '# HELP weft_telemetry_mesh_reports_total Reports stored by all replicas (mesh-wide, from Redis)',
    '# TYPE weft_telemetry_mesh_reports_total counter',
    `weft_telemetry_mesh_reports_total ${m.reports}`,
    '# HELP weft_telemetry_mesh_records_total Request records stored by all replicas (mesh-wide, from Redis)',
    '# TYPE weft_telemetry_mesh_records_total counter',
    `weft_telemetry_mesh_records_total ${m.records}`,
    '# HELP weft_telemetry_proxy_dropped_total What proxies reported they dropped before publishing, by kind (mesh-wide)',
    '# TYPE weft_telemetry_proxy_dropped_total counter',
    `weft_telemetry_proxy_dropped_total{kind="records"} ${m.dropped.records}`,
    `weft_telemetry_proxy_dropped_total{kind="spans"} ${m.dropped.spans}`,
    `weft_telemetry_proxy_dropped_total{kind="logs"} ${m.dropped.logs}`,
    '# HELP weft_telemetry_reports_missing Reports numbered below the highest seen per proxy boot that were never stored: lost in NATS or in a replica that died (mesh-wide)',
    '# TYPE weft_telemetry_reports_missing gauge',
    `weft_telemetry_reports_missing ${m.missingReports}`,
    '# HELP weft_telemetry_tracked_proxy_boots Proxy processes whose report numbers are tracked for loss (mesh-wide)',
    '# TYPE weft_telemetry_tracked_proxy_boots gauge',
    `weft_telemetry_tracked_proxy_boots ${m.trackedBoots}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `GET /metrics`: the mesh-wide families read from Redis (istio_* and weft_telemetry_mesh_*, identical
 * on every replica) followed by this replica's own weft_telemetry_* counters (prom-client).
 */
export class MetricsEndpoint {
  constructor(
    private readonly repo: MeshMetricsRepository,
    private readonly registry: Registry,
  ) {}

  async render(): Promise<string> {
    const { totals, ingest } = await this.repo.read();
    return `${renderIstioMetrics(totals)}${meshFamilies(ingest)}${await this.registry.metrics()}`;
  }

  async ingest(): Promise<MeshIngest> {
    return (await this.repo.read()).ingest;
  }
}
