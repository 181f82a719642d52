import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { httpStatusOf, isWeftError, type Logger } from '@weft/shared';
import { LOGGER } from '../app/tokens';

/** The one place HTTP errors become responses: `{error: {code, kind, message}}` with the kind's status. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(LOGGER) log: Logger) {
    this.log = log.child({ component: 'http-errors' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let error = { code: 'WEFT_ERR_INTERNAL', kind: 'internal', message: 'internal error' };
    if (isWeftError(exception) && exception.kind !== 'internal') {
      status = httpStatusOf(exception.kind);
      error = { code: exception.code, kind: exception.kind, message: exception.message };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      error = { code: `WEFT_ERR_HTTP_${status}`, kind: status === 404 ? 'not-found' : 'invalid-argument', message: exception.message };
    } else {
      this.log.error({ err: exception }, 'request failed');
    }
    if (reply.sent) return;
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.status(status).send({ error });
  }
}
