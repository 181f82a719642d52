import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { parseQuery, windowQuery } from '../http/api-query.schema';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from '../http/telemetry-http.deps';
import { BUCKET_SECONDS, type WindowName } from '../windows/buckets';
import { SeriesRepository, type SeriesPoint } from './series.repository';

export const seriesQuery = windowQuery.extend({
  service: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253).default('default'),
});

/** `GET /api/v1/stat/series`: a service's golden signals per 10 s bucket over a window (dashboard charts). */
@Controller('api/v1/stat')
@UseGuards(BearerAuthGuard)
export class SeriesController {
  constructor(
    @Inject(SeriesRepository) private readonly series: SeriesRepository,
    @Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps,
  ) {}

  @Get('series')
  async read(@Query() query: unknown): Promise<{ window: string; bucketSeconds: number; namespace: string; service: string; points: SeriesPoint[] }> {
    const q = parseQuery(seriesQuery, query);
    const points = await this.series.read(q.window as WindowName, q.namespace, q.service, (this.deps.now ?? Date.now)());
    return { window: q.window, bucketSeconds: BUCKET_SECONDS, namespace: q.namespace, service: q.service, points };
  }
}
