import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { WeftError, type WeftErrorKind } from '@weft/shared';

/** Error codes of CSR verification (the CA answers with them). */
export const CSR_ERR = {
  CSR_INVALID: 'WEFT_ERR_CA_CSR_INVALID',
  CSR_SIGNATURE: 'WEFT_ERR_CA_CSR_SIGNATURE',
  CSR_KEY: 'WEFT_ERR_CA_CSR_KEY',
  CSR_SAN: 'WEFT_ERR_CA_CSR_SAN',
} as const;

function caError(code: string, kind: WeftErrorKind, message: string, cause?: unknown): WeftError {
  return new WeftError(code, kind, message, cause === undefined ? {} : { cause });
}
import { children, DerError, oidString, parseDer, TAG, type DerNode } from './der';
import { GENERAL_NAME, OID } from './oids';
import { pemBlocks } from './pem';

/** A PKCS#10 request that passed every check: its signature, an EC P-256 key, one URI SAN. */
export interface VerifiedCsr {
  /** The whole CSR, DER (what a renewal proof signs). */
  readonly der: Buffer;
  /** SubjectPublicKeyInfo, DER, copied into the certificate as is. */
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
  /** The one URI SAN. */
  readonly uri: string;
}

const invalid = (message: string, cause?: unknown) => caError(CSR_ERR.CSR_INVALID, 'invalid-argument', message, cause);

/** The DER of a CSR given as PEM (`CERTIFICATE REQUEST`) or base64 DER. */
export function csrDerOf(csr: string): Buffer {
  const block = pemBlocks(csr).find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
  if (block !== undefined) return block.der;
  if (/^[A-Za-z0-9+/=\s]+$/.test(csr) && csr.trim() !== '') return Buffer.from(csr, 'base64');
  throw invalid('csr is not a PEM CERTIFICATE REQUEST');
}

/** The uncompressed P-256 point of an SPKI (id-ecPublicKey, prime256v1), or null for any other key. */
function p256Point(spki: DerNode): Buffer | null {
  const [alg, bits] = children(spki);
  const ids = alg === undefined ? [] : children(alg);
  if (ids.length !== 2 || ids[1]?.tag !== TAG.OID || oidString(ids[0] as DerNode) !== OID.ecPublicKey) return null;
  if (oidString(ids[1]) !== OID.prime256v1 || bits?.tag !== TAG.BIT_STRING) return null;
  const point = bits.content.subarray(1);
  return bits.content[0] === 0 && point.length === 65 && point[0] === 0x04 ? point : null;
}

/**
 * The CSR's key, which must be ECDSA P-256. An uncompressed P-256 point is imported as a JWK (about
 * 40 % cheaper than OpenSSL's SPKI decoder, the largest cost of a signing); the point is still checked
 * to lie on the curve. Anything else goes through the SPKI decoder for an exact refusal.
 */
function ecP256Key(spki: DerNode): KeyObject {
  let key: KeyObject;
  try {
    const point = p256Point(spki);
    key = point === null
      ? createPublicKey({ key: spki.full, format: 'der', type: 'spki' })
      : createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  } catch (err) {
    throw caError(CSR_ERR.CSR_KEY, 'invalid-argument', 'the CSR public key cannot be read', err);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : String(key.asymmetricKeyType);
    throw caError(CSR_ERR.CSR_KEY, 'invalid-argument', `the CSR key must be ECDSA P-256, not ${what}`);
  }
  return key;
}

/** GeneralNames of every subjectAltName extension requested in the attributes. */
function requestedSans(attributes: DerNode | undefined): DerNode[] {
  const names: DerNode[] = [];
  for (const attr of attributes === undefined ? [] : children(attributes)) {
    const [type, values] = children(attr);
    if (type === undefined || values === undefined || oidString(type) !== OID.extensionRequest) continue;
    for (const exts of children(values)) {
      for (const ext of children(exts)) {
        const parts = children(ext);
        if (oidString(parts[0] as DerNode) !== OID.subjectAltName) continue;
        const value = parts[parts.length - 1] as DerNode;
        names.push(...children(parseDer(value.content)));
      }
    }
  }
  return names;
}

const SAN_KIND: Readonly<Record<number, string>> = {
  [GENERAL_NAME.dnsName]: 'DNS',
  [GENERAL_NAME.ipAddress]: 'IP',
  [GENERAL_NAME.rfc822Name]: 'email',
};

function singleUri(names: DerNode[]): string {
  const others = names.filter((n) => n.tag !== GENERAL_NAME.uri);
  if (others.length > 0) {
    const kinds = [...new Set(others.map((n) => SAN_KIND[n.tag] ?? `tag 0x${n.tag.toString(16)}`))].join(', ');
    throw caError(CSR_ERR.CSR_SAN, 'invalid-argument', `the CSR may carry only one URI SAN; it also asks for ${kinds}`);
  }
  if (names.length !== 1) {
    throw caError(CSR_ERR.CSR_SAN, 'invalid-argument', `the CSR must carry exactly one URI SAN (found ${names.length})`);
  }
  return (names[0] as DerNode).content.toString('ascii');
}

/** Parses and verifies a CSR (PEM or DER); refuses with WEFT_ERR_CA_CSR_* and a reason. */
export function verifyCsr(csr: string | Buffer): VerifiedCsr {
  const der = typeof csr === 'string' ? csrDerOf(csr) : csr;
  let cri: DerNode, alg: DerNode, sig: DerNode, parts: DerNode[];
  try {
    [cri, alg, sig] = children(parseDer(der)) as [DerNode, DerNode, DerNode];
    parts = children(cri);
    if (sig?.tag !== TAG.BIT_STRING || parts.length < 3) throw new DerError('not a PKCS#10 request');
  } catch (err) {
    throw invalid(`csr is not a PKCS#10 request: ${(err as Error).message}`, err);
  }
  const publicKey = ecP256Key(parts[2] as DerNode);
  const algId = oidString(children(alg)[0] as DerNode);
  if (algId !== OID.ecdsaWithSha256) throw caError(CSR_ERR.CSR_SIGNATURE, 'invalid-argument', `the CSR must be signed with ecdsa-with-SHA256 (got ${algId})`);
  if (!verify('sha256', cri.full, publicKey, sig.content.subarray(1))) {
    throw caError(CSR_ERR.CSR_SIGNATURE, 'invalid-argument', 'the CSR signature does not verify with its own public key');
  }
  const attributes = parts.find((p) => p.tag === 0xa0);
  let names: DerNode[];
  try {
    names = requestedSans(attributes);
  } catch (err) {
    throw invalid('the CSR extensions cannot be read', err);
  }
  return { der, spki: (parts[2] as DerNode).full, publicKey, uri: singleUri(names) };
}
