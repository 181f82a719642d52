import { timingSafeEqual } from 'node:crypto';
import { WeftError } from './errors';

/** Whether `authorization: Bearer <token>` presents exactly `expected` (constant-time compare). */
export function bearerMatches(expected: string, header: string | undefined | null): boolean {
  const m = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  const presented = Buffer.from(m === null ? '' : (m[1] ?? ''));
  const want = Buffer.from(expected);
  return presented.length === want.length && timingSafeEqual(presented, want);
}

/**
 * Bearer-token check of the control plane's APIs (REST `authorization: Bearer …`, gRPC metadata and
 * NATS headers `authorization`). No token configured: every call is allowed.
 */
export function checkBearer(expected: string | undefined, header: string | undefined | null): void {
  if (expected === undefined) return;
  if (header === undefined || header === null || header === '') {
    throw new WeftError('WEFT_ERR_AUTH_MISSING', 'unauthenticated', 'a bearer token is required (authorization: Bearer <token>)');
  }
  if (!bearerMatches(expected, header)) throw new WeftError('WEFT_ERR_AUTH_INVALID', 'unauthenticated', 'invalid bearer token');
}
