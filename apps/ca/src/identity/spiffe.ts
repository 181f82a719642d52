import { CA_ERR, caError } from '../errors';

/** A workload identity: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>. */
export interface SpiffeId {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly uri: string;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,253}[a-z0-9])?$/;
const URI_RE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function spiffeUri(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

export function isValidTrustDomain(td: string): boolean {
  return TRUST_DOMAIN.test(td);
}

/** Builds an identity from its parts, checking each is a DNS label (Kubernetes names). */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): SpiffeId {
  if (!isValidTrustDomain(trustDomain)) throw bad(`trust domain "${trustDomain}" is not a valid name`);
  if (!LABEL.test(namespace)) throw bad(`namespace "${namespace}" is not a DNS label`);
  if (!LABEL.test(serviceAccount)) throw bad(`service account "${serviceAccount}" is not a DNS label`);
  return { trustDomain, namespace, serviceAccount, uri: spiffeUri(trustDomain, namespace, serviceAccount) };
}

/** Parses a `spiffe://td/ns/NS/sa/SA` URI; anything else is refused with a reason. */
export function parseSpiffeUri(uri: string): SpiffeId {
  const m = URI_RE.exec(uri);
  if (m === null) throw bad(`"${uri}" is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`);
  return spiffeId(m[1] as string, m[2] as string, m[3] as string);
}

function bad(message: string) {
  return caError(CA_ERR.IDENTITY_INVALID, 'invalid-argument', message);
}
