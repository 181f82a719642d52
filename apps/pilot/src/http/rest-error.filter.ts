import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@weft/shared';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';
import { toRestError } from './rest-error';

/**
 * The one place REST errors become responses. Global (APP_FILTER), so errors raised before a controller
 * runs — malformed JSON, oversize bodies, unknown routes — get the API's error shape too.
 */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(PILOT_HTTP_DEPS) deps: PilotHttpDeps) {
    this.log = deps.logger.child({ component: 'rest-errors' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const res = toRestError(exception);
    if (res.fault) this.log.error({ err: exception, method: request.method, url: request.url }, 'request failed');
    if (reply.sent) return;
    void reply.status(res.status).headers(res.headers).send(res.body);
  }
}
