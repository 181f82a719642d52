import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { bitString, oid, seq, set, smallInt, tlv } from './der';
import { extension } from './extensions';
import { GENERAL_NAME, OID } from './oids';
import { toPem } from './pem';

export interface CsrOptions {
  /** The workload's key (EC P-256 for the CA to accept it). */
  readonly privateKey: KeyObject;
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
  /** Signs the request with this key instead (a CSR whose signature does not match its key). */
  readonly signWith?: KeyObject;
}

/**
 * Builds a PKCS#10 CSR (DER) with an empty subject and the given SANs (a critical extension, as RFC
 * 5280 §4.2.1.6 wants with an empty subject), signed with ecdsa-with-SHA256. What a workload (the
 * proxy) does to ask for its SVID; also used by tests and the bench.
 */
export function buildCsrDer(o: CsrOptions): Buffer {
  const names = [
    ...(o.uris ?? []).map((u) => tlv(GENERAL_NAME.uri, Buffer.from(u, 'ascii'))),
    ...(o.dnsNames ?? []).map((d) => tlv(GENERAL_NAME.dnsName, Buffer.from(d, 'ascii'))),
  ];
  const spki = createPublicKey(o.privateKey).export({ format: 'der', type: 'spki' });
  const exts = names.length === 0 ? [] : [extension(OID.subjectAltName, true, seq(...names))];
  const attributes = exts.length === 0 ? tlv(0xa0, Buffer.alloc(0)) : tlv(0xa0, seq(oid(OID.extensionRequest), set(seq(...exts))));
  const cri = seq(smallInt(0), seq(), spki, attributes);
  const signature = sign('sha256', cri, o.signWith ?? o.privateKey);
  return seq(cri, seq(oid(OID.ecdsaWithSha256)), bitString(signature));
}

/** {@link buildCsrDer} as PEM (`CERTIFICATE REQUEST`). */
export function buildCsr(o: CsrOptions): string {
  return toPem(buildCsrDer(o), 'CERTIFICATE REQUEST');
}

/** A fresh ECDSA P-256 key pair (the private key object), in memory only. */
export function newWorkloadKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}
