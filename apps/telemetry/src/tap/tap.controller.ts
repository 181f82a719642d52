import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WeftError } from '@weft/shared';
import { parseQuery } from '../http/api-query.schema';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from '../http/telemetry-http.deps';
import { tapQuery } from './tap-query.schema';

/**
 * `GET /api/v1/tap?service=&namespace=&limit=&seconds=`: live requests as NDJSON (one TapRecord a line,
 * `{"dropped":n}` lines when records were skipped) for as long as the client stays, or until the limit
 * or the seconds are reached.
 */
@Controller('api/v1')
@UseGuards(BearerAuthGuard)
export class TapController {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  @Get('tap')
  tap(@Query() query: unknown, @Res() reply: FastifyReply): void {
    const q = parseQuery(tapQuery, query);
    const hub = this.deps.tap;
    if (hub === undefined) throw new WeftError('WEFT_ERR_TELEMETRY_TAP_UNAVAILABLE', 'unavailable', 'live tap is not enabled on this replica');
    const res = reply.raw;
    const session = hub.open(q, res);
    reply.hijack();
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-weft-tap-id': session.spec.tapId });
    res.flushHeaders();
    res.once('close', () => session.end());
  }
}
