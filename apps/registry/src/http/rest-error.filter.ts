import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@weft/shared';
import { LOGGER } from '../app/tokens';
import { RegistryMetrics } from '../registry/registry.metrics';
import { toRestError } from './rest-error';
import { restOperationOf } from './rest-routes';

/**
 * The one place REST errors become responses: `{error: {code, message, issues}}` with the status of
 * the error's kind. Registered globally (APP_FILTER) so that errors raised before a controller runs —
 * malformed JSON, oversize bodies, unknown routes — get the same shape instead of fastify's own.
 */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(
    @Inject(RegistryMetrics) private readonly metrics: RegistryMetrics,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'rest-errors' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const res = toRestError(exception);
    if (res.fault) this.log.error({ err: exception, method: request.method, url: request.url }, 'request failed');
    const operation = restOperationOf(request.method, request.routeOptions.url);
    if (operation !== null) this.metrics.requests.inc({ api: 'rest', method: operation, outcome: res.kind });
    if (reply.sent) return;
    void reply.status(res.status).headers(res.headers).send(res.body);
  }
}
