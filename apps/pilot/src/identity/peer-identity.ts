import type { PeerCertificate } from 'node:tls';
import { WeftError } from '@weft/shared';
import { spiffeIdOf } from '@weft/x509';

export const XDS_IDENTITY_MISMATCH = 'WEFT_ERR_XDS_IDENTITY_MISMATCH';

const SPIFFE_PATH = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The verified client identity of a stream on the TLS port (null on the plaintext port). */
export interface PeerIdentity {
  readonly spiffeId: string;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The SPIFFE identity of a client certificate; null when it carries none of the Istio form. */
export function peerIdentityOf(cert: Pick<PeerCertificate, 'subjectaltname'> | null | undefined): PeerIdentity | null {
  const id = spiffeIdOf(cert);
  const m = id === null ? null : SPIFFE_PATH.exec(id);
  if (id === null || m === null) return null;
  return { spiffeId: id, trustDomain: m[1] as string, namespace: m[2] as string, serviceAccount: m[3] as string };
}

/**
 * Istio's check of an authenticated xDS client (pilot/pkg/xds/authentication.go): the certificate
 * must carry a SPIFFE identity of the mesh's trust domain, and its namespace must be the namespace
 * the proxy claims in its node metadata (NAMESPACE) — a workload cannot ask for another namespace's
 * config. Returns the refusal, or null when the stream may go on.
 */
export function checkPeerIdentity(peer: PeerIdentity | null, nodeNamespace: string, trustDomain: string): WeftError | null {
  if (peer === null) return refusal('the client certificate carries no SPIFFE identity (spiffe://<trust domain>/ns/<namespace>/sa/<service account>)');
  if (peer.trustDomain !== trustDomain) return refusal(`the client certificate's identity ${peer.spiffeId} is not in the trust domain ${trustDomain}`);
  if (peer.namespace !== nodeNamespace) {
    return refusal(`the client certificate's identity ${peer.spiffeId} is in namespace "${peer.namespace}" but the node metadata NAMESPACE is "${nodeNamespace}"`);
  }
  return null;
}

function refusal(message: string): WeftError {
  return new WeftError(XDS_IDENTITY_MISMATCH, 'permission-denied', `xDS client refused: ${message}`);
}
