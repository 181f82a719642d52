import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { checkBearer } from '@weft/shared';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';

/**
 * Mutating calls (POST, PUT, PATCH, DELETE) need WEFT_PILOT_TOKEN as a bearer token when one is set;
 * reads stay open. A refusal is 401 with `WWW-Authenticate: Bearer`.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(PILOT_HTTP_DEPS) private readonly deps: PilotHttpDeps) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') checkBearer(this.deps.token, request.headers.authorization);
    return true;
  }
}
