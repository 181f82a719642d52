import { createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { CA_ERR, caError } from '../errors';

/** Issuer of every bootstrap token. */
export const TOKEN_ISSUER = 'weft-ca';

export interface TokenClaims {
  readonly iss: string;
  /** The one identity the token may obtain a certificate for (a SPIFFE URI). */
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));

/** Signs a bootstrap token (JWT, ES256) for `sub`, valid `ttlSeconds` from `now` (ms). */
export function signToken(key: KeyObject, sub: string, ttlSeconds: number, now = Date.now()): { token: string; claims: TokenClaims } {
  const iat = Math.floor(now / 1000);
  const claims: TokenClaims = { iss: TOKEN_ISSUER, sub, iat, exp: iat + ttlSeconds, jti: randomUUID() };
  const input = `${HEADER}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return { token: `${input}.${b64url(signature)}`, claims };
}

const invalid = (reason: string) => caError(CA_ERR.TOKEN_INVALID, 'unauthenticated', `bootstrap token refused: ${reason}`);

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalid(`its ${what} is not base64url JSON`);
}

function checkClaims(c: Record<string, unknown>, nowSec: number): TokenClaims {
  if (c['iss'] !== TOKEN_ISSUER) throw invalid(`wrong issuer ${JSON.stringify(c['iss'])} (want "${TOKEN_ISSUER}")`);
  if (typeof c['sub'] !== 'string' || typeof c['exp'] !== 'number' || typeof c['iat'] !== 'number') {
    throw invalid('sub, iat and exp are required');
  }
  if (c['exp'] <= nowSec) {
    throw caError(CA_ERR.TOKEN_EXPIRED, 'unauthenticated', `bootstrap token refused: expired at ${new Date(c['exp'] * 1000).toISOString()}`);
  }
  if (c['iat'] > nowSec + 60) throw invalid('issued in the future');
  return { iss: TOKEN_ISSUER, sub: c['sub'], iat: c['iat'], exp: c['exp'], jti: String(c['jti'] ?? '') };
}

/**
 * Verifies a bootstrap token: ES256 only (alg none or anything else is refused), a signature by the
 * CA's token key, issuer weft-ca, not expired. Refusals are WEFT_ERR_CA_TOKEN_* with the reason.
 */
export function verifyToken(publicKey: KeyObject, token: string, now = Date.now()): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalid('not a JWT (header.payload.signature)');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h, 'header');
  if (header['alg'] !== 'ES256') throw invalid(`algorithm ${JSON.stringify(header['alg'])} is not accepted (ES256 only)`);
  const signature = Buffer.from(s, 'base64url');
  const ok = signature.length === 64 && verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (!ok) throw invalid('bad signature (not signed by this CA)');
  return checkClaims(decodeJson(p, 'payload'), Math.floor(now / 1000));
}

export const tokenPublicKey = (key: KeyObject): KeyObject => createPublicKey(key);
