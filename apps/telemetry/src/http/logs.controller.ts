import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import type { AccessLogRecord } from '@weft/api';
import { logsQuery, parseQuery } from './api-query.schema';
import { BearerAuthGuard } from './bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

/** Recent sampled access logs, newest first, filtered by service, status, response flag and trace id. */
@Controller('api/v1')
@UseGuards(BearerAuthGuard)
export class LogsController {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  @Get('logs')
  async logs(@Query() query: unknown): Promise<{ records: AccessLogRecord[] }> {
    const q = parseQuery(logsQuery, query);
    const records = await this.deps.logs.query({
      service: q.service ?? null,
      status: q.status ?? null,
      flag: q.flag ?? null,
      traceId: q.traceId?.toLowerCase() ?? null,
      limit: q.limit,
    });
    return { records };
  }
}
