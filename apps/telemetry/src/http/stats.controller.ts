import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import type { WindowName } from '../windows/buckets';
import { edgeStats, serviceStats, topology, type EdgeStat, type ServiceStat, type TopologyEdge, type TopologyNode } from '../windows/window-stats';
import type { MeshIngest } from '../metrics/mesh-metrics.repository';
import { parseQuery, windowQuery } from './api-query.schema';
import { BearerAuthGuard } from './bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

/** Golden signals over the 1m/5m/1h windows, read from Redis (any replica answers for all). */
@Controller('api/v1')
@UseGuards(BearerAuthGuard)
export class StatsController {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  private async window(query: unknown) {
    const { window } = parseQuery(windowQuery, query);
    return this.deps.windows.read(window as WindowName, (this.deps.now ?? Date.now)());
  }

  @Get('stat')
  async stat(@Query() query: unknown): Promise<{ window: string; seconds: number; services: ServiceStat[] }> {
    const data = await this.window(query);
    return { window: data.window, seconds: data.seconds, services: serviceStats(data) };
  }

  @Get('edges')
  async edges(@Query() query: unknown): Promise<{ window: string; seconds: number; edges: EdgeStat[] }> {
    const data = await this.window(query);
    return { window: data.window, seconds: data.seconds, edges: edgeStats(data) };
  }

  @Get('topology')
  async topology(@Query() query: unknown): Promise<{ window: string; seconds: number; nodes: TopologyNode[]; edges: TopologyEdge[] }> {
    const data = await this.window(query);
    return { window: data.window, seconds: data.seconds, ...topology(data) };
  }

  /** Mesh-wide ingest figures: reports and records stored, proxies' drops, reports missing. */
  @Get('ingest')
  ingest(): Promise<MeshIngest> {
    return this.deps.metrics.ingest();
  }
}
