import { children, oidString, parseDer, type DerNode } from './der';
import { keyIdOf } from './extensions';
import { OID } from './oids';

/** The parts of an issuing certificate a signer copies into the certificates it issues. */
export interface IssuerFields {
  /** The certificate's subject Name, DER: the issuer of what it signs. */
  readonly subject: Buffer;
  /** Its subject key identifier (from the extension, else computed from the key). */
  readonly keyId: Buffer;
  readonly spki: Buffer;
}

function extensionValue(tbsParts: DerNode[], id: string): Buffer | null {
  const block = tbsParts.find((p) => p.tag === 0xa3);
  if (block === undefined) return null;
  for (const ext of children(children(block)[0] as DerNode)) {
    const parts = children(ext);
    if (oidString(parts[0] as DerNode) === id) return (parts[parts.length - 1] as DerNode).content;
  }
  return null;
}

export function issuerFieldsOf(certDer: Buffer): IssuerFields {
  const tbs = children(parseDer(certDer))[0] as DerNode;
  const parts = children(tbs);
  const offset = parts[0]?.tag === 0xa0 ? 1 : 0;
  const subject = parts[offset + 4] as DerNode;
  const spki = parts[offset + 5] as DerNode;
  const ski = extensionValue(parts, OID.subjectKeyIdentifier);
  const keyId = ski === null ? keyIdOf(spki.full) : parseDer(ski).content;
  return { subject: subject.full, keyId, spki: spki.full };
}
