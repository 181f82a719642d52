import type { KeyObject } from 'node:crypto';
import { seq } from './der';
import { authorityKeyId, LEAF_BASIC_CONSTRAINTS, LEAF_EXT_KEY_USAGE, LEAF_KEY_USAGE, uriSan } from './extensions';
import { issuerFieldsOf } from './cert-fields';
import { newSerial, signCertificate, tbsCertificate } from './certificate-builder';

export interface IssuedLeaf {
  readonly der: Buffer;
  /** Serial number, lower-case hex. */
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

const EMPTY_NAME = seq();

/**
 * Issues SPIFFE leaf certificates from one template: everything that does not depend on the request
 * (issuer name, authority key id, key usages, basic constraints) is encoded once at construction; per
 * certificate only the serial, validity, key and URI SAN are encoded, then node:crypto signs.
 */
export class LeafSigner {
  private readonly issuer: Buffer;
  private readonly fixedExtensions: readonly Buffer[];

  constructor(
    issuerCertDer: Buffer,
    private readonly issuerKey: KeyObject,
  ) {
    const fields = issuerFieldsOf(issuerCertDer);
    this.issuer = fields.subject;
    this.fixedExtensions = [LEAF_KEY_USAGE, LEAF_EXT_KEY_USAGE, LEAF_BASIC_CONSTRAINTS, authorityKeyId(fields.keyId)];
  }

  /** Signs a leaf for `spki` (DER SubjectPublicKeyInfo) and `uri`, valid from notBefore to notAfter (ms). */
  sign(spki: Buffer, uri: string, notBefore: number, notAfter: number): IssuedLeaf {
    const serial = newSerial();
    const tbs = tbsCertificate({
      serial,
      issuer: this.issuer,
      subject: EMPTY_NAME,
      notBefore,
      notAfter,
      spki,
      extensions: [...this.fixedExtensions, uriSan(uri)],
    });
    const nb = Math.floor(notBefore / 1000) * 1000;
    const na = Math.floor(notAfter / 1000) * 1000;
    return { der: signCertificate(tbs, this.issuerKey), serial: serial.toString('hex'), notBefore: nb, notAfter: na };
  }
}
