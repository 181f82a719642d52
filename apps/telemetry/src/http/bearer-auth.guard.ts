import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WeftError } from '@weft/shared';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';

/** Checks `authorization: Bearer <token>` (no token configured: allowed). */
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

/** Every /api/ call (reads and span writes) needs WEFT_TELEMETRY_TOKEN when one is set. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(TELEMETRY_HTTP_DEPS) private readonly deps: TelemetryHttpDeps) {}

  canActivate(context: ExecutionContext): boolean {
    checkBearer(this.deps.token, context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    return true;
  }
}
