import { timingSafeEqual } from 'node:crypto';
import { WeftError } from '@weft/shared';

/**
 * Bearer-token check for mutating calls (REST `authorization: Bearer …`, gRPC metadata
 * `authorization`, NATS header `authorization`). No token configured: every call is allowed.
 */
export function checkBearer(expected: string | undefined, header: string | undefined | null): void {
  if (expected === undefined) return;
  if (header === undefined || header === null || header === '') {
    throw new WeftError('WEFT_ERR_AUTH_MISSING', 'unauthenticated', 'a bearer token is required (authorization: Bearer <token>)');
  }
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const presented = Buffer.from(m === null ? '' : m[1]);
  const want = Buffer.from(expected);
  if (presented.length !== want.length || !timingSafeEqual(presented, want)) {
    throw new WeftError('WEFT_ERR_AUTH_INVALID', 'unauthenticated', 'invalid bearer token');
  }
}
