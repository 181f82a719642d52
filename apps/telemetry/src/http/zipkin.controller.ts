import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { zipkinSpans, type ZipkinSpan } from '@weft/api';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { decodeMessage } from '../ingest/message-decoder';
import { edgeStats } from '../windows/window-stats';
import { dependenciesQuery, parseQuery, serviceQuery, traceIdParam, tracesQuery } from './api-query.schema';
import { BearerAuthGuard } from './bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

/** Zipkin v2 API: span intake from apps (JSON) and the query endpoints Zipkin/Jaeger tooling reads. */
@Controller('api/v2')
@UseGuards(BearerAuthGuard)
export class ZipkinController {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  /** 202 once stored; 400 naming the first bad field (nothing stored). */
  @Post('spans')
  @HttpCode(202)
  async spans(@Body() body: unknown): Promise<void> {
    this.deps.ingestMetrics.reports.inc({ kind: 'spans' });
    let spans: ZipkinSpan[];
    try {
      spans = decodeMessage(zipkinSpans, body, 'spans');
    } catch (err) {
      this.deps.ingestMetrics.invalid.inc({ kind: 'spans', reason: 'schema' });
      throw err;
    }
    await this.deps.traces.store(spans);
  }

  @Get('services')
  services(): Promise<string[]> {
    return this.deps.traces.services();
  }

  /** Span names of a service (Zipkin UI's span-name list). */
  @Get('spans')
  spanNames(@Query() query: unknown): Promise<string[]> {
    return this.deps.traces.names('names', parseQuery(serviceQuery, query).serviceName);
  }

  /** Services a service called (remote endpoints of its spans). */
  @Get('remoteServices')
  remoteServices(@Query() query: unknown): Promise<string[]> {
    return this.deps.traces.names('remote', parseQuery(serviceQuery, query).serviceName);
  }

  /**
   * Zipkin dependency links from the request windows (not from spans): the smallest window covering
   * `lookback` (1m, 5m, else 1h), ending now; parent = calling workload, child = called service.
   */
  @Get('dependencies')
  async dependencies(@Query() query: unknown): Promise<{ parent: string; child: string; callCount: number; errorCount: number }[]> {
    const { lookback } = parseQuery(dependenciesQuery, query);
    const window = lookback <= 60_000 ? '1m' : lookback <= 300_000 ? '5m' : '1h';
    const data = await this.deps.windows.read(window, (this.deps.now ?? Date.now)());
    return edgeStats(data)
      .filter((e) => e.requests > 0)
      .map((e) => ({
        parent: e.source.workload,
        child: e.destination.service,
        callCount: e.requests,
        errorCount: e.requests - Math.round((e.successRate ?? 1) * e.requests),
      }));
  }

  @Get('traces')
  traces(@Query() query: unknown): Promise<ZipkinSpan[][]> {
    const q = parseQuery(tracesQuery, query);
    return this.deps.traces.traces({
      serviceName: q.serviceName ?? null,
      limit: q.limit,
      lookback: q.lookback,
      endTs: q.endTs ?? (this.deps.now ?? Date.now)(),
    });
  }

  @Get('trace/:traceId')
  async trace(@Param('traceId') traceId: string): Promise<ZipkinSpan[]> {
    const id = parseQuery(traceIdParam, traceId);
    const spans = await this.deps.traces.trace(id);
    if (spans.length === 0) throw telemetryError(TELEMETRY_ERRORS.traceNotFound, 'not-found', `trace ${id} not found (unknown or expired)`);
    return spans;
  }
}
