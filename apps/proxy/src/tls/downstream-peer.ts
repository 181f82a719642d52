import type { TLSSocket } from 'node:tls';
import type { DownstreamRequest } from '../listener/request-context';
import { principalOf, spiffeIdOf } from './spiffe';

/** What the inbound TLS handshake learnt, kept on the connection's socket (read once per request). */
interface PeerTagged {
  weftMtls?: boolean;
  weftPeerPrincipal?: string | null;
}

/** Records the verified peer of a TLS connection: its SPIFFE ID as an Istio principal (no scheme). */
export function tagPeer(socket: TLSSocket): void {
  const id = socket.authorized ? spiffeIdOf(socket.getPeerCertificate()) : null;
  const tagged = socket as TLSSocket & PeerTagged;
  tagged.weftMtls = id !== null;
  tagged.weftPeerPrincipal = id === null ? null : principalOf(id);
}

/** The verified peer principal of the connection a request arrived on, or null (plaintext, no client cert). */
export function peerPrincipalOf(req: DownstreamRequest): string | null {
  return (req.socket as (typeof req.socket & PeerTagged) | undefined)?.weftPeerPrincipal ?? null;
}

/** Whether the request arrived over mutual TLS (a verified client certificate). */
export function isMutualTls(req: DownstreamRequest): boolean {
  return (req.socket as (typeof req.socket & PeerTagged) | undefined)?.weftMtls === true;
}
