import { CSR_ERR } from '@weft/x509';
import { WeftError, type WeftErrorKind } from '@weft/shared';

/** Stable codes of the CA's refusals and failures (`WEFT_ERR_CA_*`). */
export const CA_ERR = {
  ...CSR_ERR,
  TTL: 'WEFT_ERR_CA_TTL',
  AUTH_MISSING: 'WEFT_ERR_CA_AUTH_MISSING',
  TOKEN_INVALID: 'WEFT_ERR_CA_TOKEN_INVALID',
  TOKEN_EXPIRED: 'WEFT_ERR_CA_TOKEN_EXPIRED',
  RENEWAL_INVALID: 'WEFT_ERR_CA_RENEWAL_INVALID',
  IDENTITY_MISMATCH: 'WEFT_ERR_CA_IDENTITY_MISMATCH',
  IDENTITY_INVALID: 'WEFT_ERR_CA_IDENTITY_INVALID',
  KEY_MATERIAL: 'WEFT_ERR_CA_KEY_MATERIAL',
  ADMIN_AUTH: 'WEFT_ERR_CA_ADMIN_AUTH',
} as const;

export function caError(code: string, kind: WeftErrorKind, message: string, cause?: unknown): WeftError {
  return new WeftError(code, kind, message, cause === undefined ? {} : { cause });
}
