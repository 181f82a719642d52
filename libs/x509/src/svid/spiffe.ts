import type { PeerCertificate } from 'node:tls';

const URI_PREFIX = 'URI:';
const SPIFFE = 'spiffe://';

/** `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${SPIFFE}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The SPIFFE ID (first `spiffe://` URI SAN) of a certificate, or null. */
export function spiffeIdOf(cert: Pick<PeerCertificate, 'subjectaltname'> | null | undefined): string | null {
  const sans = cert?.subjectaltname;
  if (typeof sans !== 'string' || sans === '') return null;
  for (const raw of sans.split(', ')) {
    if (!raw.startsWith(URI_PREFIX)) continue;
    const uri = raw.slice(URI_PREFIX.length).replace(/^"|"$/g, '');
    if (uri.startsWith(SPIFFE)) return uri;
  }
  return null;
}

/** Istio's principal form of a SPIFFE ID: `<trust-domain>/ns/<ns>/sa/<sa>` (no scheme). */
export function principalOf(id: string): string {
  return id.startsWith(SPIFFE) ? id.slice(SPIFFE.length) : id;
}
