import { timingSafeEqual } from 'node:crypto';
import { CA_ERR, caError } from '../errors';

/** `authorization: Bearer <WEFT_CA_ADMIN_TOKEN>` when an admin token is configured. */
export function checkAdminBearer(expected: string | undefined, header: string | undefined): void {
  if (expected === undefined) return;
  const m = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  const presented = Buffer.from(m === null ? '' : (m[1] as string));
  const want = Buffer.from(expected);
  if (presented.length !== want.length || !timingSafeEqual(presented, want)) {
    throw caError(CA_ERR.ADMIN_AUTH, 'unauthenticated', 'creating tokens needs authorization: Bearer <WEFT_CA_ADMIN_TOKEN>');
  }
}
