import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { bitString, explicit, oid, seq, smallInt, time, uint } from './der';
import { extensionsBlock } from './extensions';
import { OID } from './oids';

/** ecdsa-with-SHA256 AlgorithmIdentifier (no parameters), encoded once. */
export const ECDSA_SHA256_ALG = seq(oid(OID.ecdsaWithSha256));
const VERSION_3 = explicit(0, smallInt(2));

/** A random positive 16-byte serial number. */
export function newSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  return serial;
}

export interface CertificateFields {
  readonly serial: Buffer;
  /** Issuer Name, DER. */
  readonly issuer: Buffer;
  /** Subject Name, DER (an empty SEQUENCE for leaves). */
  readonly subject: Buffer;
  readonly notBefore: number;
  readonly notAfter: number;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
  /** Encoded Extension elements. */
  readonly extensions: readonly Buffer[];
}

/** The TBSCertificate of an ecdsa-with-SHA256 v3 certificate. */
export function tbsCertificate(f: CertificateFields): Buffer {
  return seq(
    VERSION_3,
    uint(f.serial),
    ECDSA_SHA256_ALG,
    f.issuer,
    seq(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.spki,
    extensionsBlock([...f.extensions]),
  );
}

/** Signs a TBSCertificate with an EC key (node:crypto yields the DER ECDSA signature X.509 wants). */
export function signCertificate(tbs: Buffer, key: KeyObject): Buffer {
  return seq(tbs, ECDSA_SHA256_ALG, bitString(sign('sha256', tbs, key)));
}
