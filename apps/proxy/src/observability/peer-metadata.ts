/**
 * Peer metadata (Istio's metadata exchange, reduced to one header): `x-weft-peer:
 * <workload>.<namespace>`. An outbound proxy sends its own on each request to a mesh destination; the
 * inbound proxy reads it (the caller's workload), removes it, and answers with its own on the response
 * (the destination's workload), which the outbound proxy reads and removes in turn — so both sides'
 * metrics and reports name both workloads, and neither app sees the header.
 */
export const PEER_HEADER = 'x-weft-peer';

export interface PeerWorkload {
  readonly workload: string;
  readonly namespace: string;
}

const SPIFFE_NS = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;

/** The namespace of a SPIFFE ID `spiffe://<td>/ns/<ns>/sa/<sa>`, or null. */
export function spiffeNamespace(principal: string | null): string | null {
  return principal === null ? null : (SPIFFE_NS.exec(principal)?.[1] ?? null);
}

/** The value of the peer-metadata header, `<workload>.<namespace>`; null when malformed. */
export function parsePeer(value: string): PeerWorkload | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0 || dot === value.length - 1 || value.length > 300) return null;
  return { workload: value.slice(0, dot), namespace: value.slice(dot + 1) };
}

/**
 * The peer's workload as far as it can be believed. Over mutual TLS (`principal`: the verified or
 * expected SPIFFE ID of the other side) the header counts only when its namespace is the
 * certificate's — a workload names itself but cannot claim another namespace; a header that disagrees
 * is ignored (null). Without mTLS the header is the peer's unauthenticated claim, as with Istio's
 * plaintext metadata exchange (such requests are labelled connection_security_policy "none").
 */
export function trustedPeer(header: string | string[] | null | undefined, principal: string | null): PeerWorkload | null {
  if (typeof header !== 'string') return null;
  const key = principal === null ? header : `${header}\u001f${principal}`;
  let peer = trusted.get(key);
  if (peer === undefined) {
    const claimed = parsePeer(header);
    peer = claimed === null || principal === null || claimed.namespace === spiffeNamespace(principal) ? claimed : null;
    if (trusted.size >= MAX_CACHED) trusted.clear();
    trusted.set(key, peer);
  }
  return peer;
}

/** Decisions per (header, principal): a proxy talks to a handful of peers, so a request is one lookup. */
const trusted = new Map<string, PeerWorkload | null>();
const MAX_CACHED = 1000;
