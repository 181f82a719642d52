import { createHash } from 'node:crypto';
import { bitString, bool, children, oid, octets, parseDer, seq, set, smallInt, tlv, utf8 } from './der';
import { GENERAL_NAME, OID } from './oids';

/** X.509 v3 extensions and names, DER-encoded. */

export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** keyUsage for leaves: digitalSignature + keyEncipherment (bits 0 and 2; 5 unused bits). */
export const LEAF_KEY_USAGE = extension(OID.keyUsage, true, Buffer.from([0x03, 0x02, 0x05, 0xa0]));
/** keyUsage for CAs: digitalSignature + keyCertSign + cRLSign (bits 0, 5, 6; 1 unused bit). */
export const CA_KEY_USAGE = extension(OID.keyUsage, true, Buffer.from([0x03, 0x02, 0x01, 0x86]));
export const LEAF_EXT_KEY_USAGE = extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth)));
/** basicConstraints CA:false (the DER default, so an empty SEQUENCE), critical. */
export const LEAF_BASIC_CONSTRAINTS = extension(OID.basicConstraints, true, seq());

export function caBasicConstraints(pathLen: number | null): Buffer {
  const value = pathLen === null ? seq(bool(true)) : seq(bool(true), smallInt(pathLen));
  return extension(OID.basicConstraints, true, value);
}

export const authorityKeyId = (keyId: Buffer): Buffer => extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId)));
export const subjectKeyId = (keyId: Buffer): Buffer => extension(OID.subjectKeyIdentifier, false, octets(keyId));

/** subjectAltName with one URI; critical because the leaf's subject is empty (RFC 5280 4.2.1.6). */
export function uriSan(uri: string): Buffer {
  return extension(OID.subjectAltName, true, seq(tlv(GENERAL_NAME.uri, Buffer.from(uri, 'ascii'))));
}

/** A distinguished name of O and CN. */
export function distinguishedName(organization: string, commonName: string): Buffer {
  return seq(set(seq(oid(OID.organization), utf8(organization))), set(seq(oid(OID.commonName), utf8(commonName))));
}

/** RFC 5280 method 1 key identifier: SHA-1 of the subjectPublicKey bits of an SPKI. */
export function keyIdOf(spkiDer: Buffer): Buffer {
  const [, bits] = children(parseDer(spkiDer));
  if (bits === undefined) throw new Error('bad SubjectPublicKeyInfo');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

export const extensionsBlock = (exts: Buffer[]): Buffer => tlv(0xa3, seq(...exts));
export { bitString };
