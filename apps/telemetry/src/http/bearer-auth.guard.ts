import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { checkBearer } from '@weft/shared';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

/** Every /api/ call (reads and span writes) needs WEFT_TELEMETRY_TOKEN when one is set. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  canActivate(context: ExecutionContext): boolean {
    checkBearer(this.deps.token, context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    return true;
  }
}
