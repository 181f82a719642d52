import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isWeftError, type Logger } from '@weft/shared';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

interface ErrorResponse {
  readonly status: number;
  readonly body: { error: { code: string; message: string; issues: readonly { path: string; message: string }[] } };
}

/** Any error → `{error: {code, message, issues}}` with the status of its kind; unknown errors → opaque 500. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (isWeftError(err) && err.kind !== 'internal') {
    return { status: httpStatusOf(err.kind), body: { error: { code: err.code, message: err.message, issues: err.issues } } };
  }
  const status = err instanceof HttpException ? err.getStatus() : (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: `WEFT_ERR_API_HTTP_${status}`, message: (err as Error).message, issues: [] } } };
  }
  return { status: 500, body: { error: { code: 'WEFT_ERR_INTERNAL', message: 'internal error', issues: [] } } };
}

/** The one place HTTP errors become responses (global, so body-parser and routing errors too). */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(TELEMETRY_HTTP_DEPS) deps: TelemetryHttpDeps) {
    this.log = deps.logger.child({ component: 'rest-errors' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const res = toErrorResponse(exception);
    if (res.status >= 500) this.log.error({ err: exception, method: request.method, url: request.url }, 'request failed');
    if (reply.sent) return;
    const headers: Record<string, string> = res.status === 401 ? { 'www-authenticate': 'Bearer realm="weft-telemetry"' } : {};
    void reply.status(res.status).headers(headers).send(res.body);
  }
}
