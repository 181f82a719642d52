import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { oid, seq, tlv } from './der';

/**
 * A minimal PKCS#10 builder for the one request a proxy makes: an ECDSA P-256 key, an empty subject
 * and one URI SAN (its SPIFFE ID) as a critical subjectAltName extension (RFC 5280 §4.2.1.6: the
 * subject is empty), signed ecdsa-with-SHA256. DER by hand (der.ts): it is a dozen nodes.
 */

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

export interface CertificateRequest {
  /** DER of the whole CertificationRequest (what a renewal proof signs). */
  readonly der: Buffer;
  readonly pem: string;
}

/** A fresh ECDSA P-256 key pair, in memory only. */
export function newWorkloadKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

export function buildCsr(key: KeyObject, uriSan: string): CertificateRequest {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const generalNames = seq(tlv(0x86, Buffer.from(uriSan, 'ascii')));
  const sanExtension = seq(oid(OID_SUBJECT_ALT_NAME), tlv(0x01, Buffer.from([0xff])), tlv(0x04, generalNames));
  const extensionRequest = seq(oid(OID_EXTENSION_REQUEST), tlv(0x31, seq(sanExtension)));
  const info = seq(tlv(0x02, Buffer.from([0])), seq(), spki, tlv(0xa0, extensionRequest));
  const signature = sign('sha256', info, key);
  const der = seq(info, seq(oid(OID_ECDSA_SHA256)), tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { der, pem: `-----BEGIN CERTIFICATE REQUEST-----\n${b64}-----END CERTIFICATE REQUEST-----\n` };
}
