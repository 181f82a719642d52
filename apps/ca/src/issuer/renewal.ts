import { verify, X509Certificate } from 'node:crypto';
import { CA_ERR, caError } from '../errors';
import { splitCertificates } from '@weft/x509';

const refuse = (reason: string, cause?: unknown) =>
  caError(CA_ERR.RENEWAL_INVALID, 'unauthenticated', `renewal refused: ${reason}`, cause);

/** The single URI SAN of a certificate (node's `URI:...` rendering), or null. */
export function uriSanOf(cert: X509Certificate): string | null {
  const names = (cert.subjectAltName ?? '').split(', ').filter((n) => n !== '');
  if (names.length !== 1 || !names[0]?.startsWith('URI:')) return null;
  return names[0].slice(4);
}

function leafOf(chainPem: string): X509Certificate {
  const [first] = splitCertificates(chainPem);
  if (first === undefined) throw refuse('x-weft-cert-chain holds no certificate');
  try {
    return new X509Certificate(first);
  } catch (err) {
    throw refuse('x-weft-cert-chain is not a PEM certificate chain', err);
  }
}

function proofVerifies(leaf: X509Certificate, csrDer: Buffer, proof: Buffer): boolean {
  try {
    if (verify('sha256', csrDer, leaf.publicKey, proof)) return true;
    return proof.length === 64 && verify('sha256', csrDer, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, proof);
  } catch {
    return false;
  }
}

/**
 * Authenticates a renewal: the caller's current certificate (first of `chainPem`) was issued by this
 * CA's intermediate and is still valid, and `proof` is a signature of the new CSR's DER by that
 * certificate's key. Returns the identity (URI SAN) the certificate carries.
 */
export function verifyRenewal(chainPem: string, proof: Buffer, csrDer: Buffer, issuer: X509Certificate, now = Date.now()): string {
  const leaf = leafOf(chainPem);
  if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) throw refuse('the current certificate was not issued by this CA');
  if (Date.parse(leaf.validTo) <= now) throw refuse(`the current certificate expired at ${new Date(leaf.validTo).toISOString()}`);
  if (Date.parse(leaf.validFrom) > now + 60_000) throw refuse('the current certificate is not valid yet');
  const uri = uriSanOf(leaf);
  if (uri === null) throw refuse('the current certificate carries no single URI SAN');
  if (!proofVerifies(leaf, csrDer, proof)) throw refuse('x-weft-proof is not a signature of the CSR by the current certificate key');
  return uri;
}
