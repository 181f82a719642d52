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

function storeUp(v: 0 | 1): string {
  return `# HELP weft_telemetry_store_up Whether this replica could read Redis for this scrape (0: mesh-wide families left out)\n# TYPE weft_telemetry_store_up gauge\nweft_telemetry_store_up ${v}\n`;
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

  /**
   * While Redis is unreachable the mesh-wide families are left out (their absence is the signal:
   * `weft_telemetry_store_up 0`) and this replica's own counters are still served.
   */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    let mesh: Awaited<ReturnType<MeshMetricsRepository['read']>>;
    try {
      mesh = await this.repo.read();
    } catch {
      return `${storeUp(0)}${own}`;
    }
    return `${renderIstioMetrics(mesh.totals)}${meshFamilies(mesh.ingest)}${storeUp(1)}${own}`;
  }

  async ingest(): Promise<MeshIngest> {
    return (await this.repo.read()).ingest;
  }
}
