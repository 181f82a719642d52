import { bearerMatches } from '@weft/shared';
import { CA_ERR, caError } from '../errors';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Who may create bootstrap tokens: with WEFT_CA_ADMIN_TOKEN set, callers presenting
 * `authorization: Bearer <it>`; without it, only callers on the loopback interface (a token names any
 * identity, so an open endpoint would hand out every identity of the mesh).
 */
export function checkAdminBearer(expected: string | undefined, header: string | undefined, remoteAddress = '127.0.0.1'): void {
  if (expected === undefined) {
    if (LOOPBACK.test(remoteAddress)) return;
    throw caError(CA_ERR.ADMIN_AUTH, 'permission-denied', `tokens are created only from loopback unless WEFT_CA_ADMIN_TOKEN is set (caller ${remoteAddress})`);
  }
  if (!bearerMatches(expected, header)) {
    throw caError(CA_ERR.ADMIN_AUTH, 'unauthenticated', 'creating tokens needs authorization: Bearer <WEFT_CA_ADMIN_TOKEN>');
  }
}
