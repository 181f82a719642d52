import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WeftError } from '@weft/shared';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';

/** Checks `authorization: Bearer <token>` against the expected token (no token configured: allowed). */
export function checkBearer(expected: string | undefined, header: string | undefined): void {
  if (expected === undefined) return;
  if (header === undefined || header === '') {
    throw new WeftError('WEFT_ERR_AUTH_MISSING', 'unauthenticated', 'a bearer token is required (authorization: Bearer <token>)');
  }
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const presented = Buffer.from(m === null ? '' : (m[1] ?? ''));
  const want = Buffer.from(expected);
  if (presented.length !== want.length || !timingSafeEqual(presented, want)) {
    throw new WeftError('WEFT_ERR_AUTH_INVALID', 'unauthenticated', 'invalid bearer token');
  }
}

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
