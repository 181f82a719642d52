import type { TLSSocket } from 'node:tls';
import type { DownstreamRequest } from '../listener/request-context';
import { spiffeIdOf } from '@weft/x509';

/** What the inbound TLS handshake learnt, kept on the connection's socket (read once per request). */
interface PeerTagged {
  weftPeerId?: string | null;
}

/** Records the verified peer of a TLS connection: its SPIFFE ID (URI SAN), null without a verified client certificate. */
export function tagPeer(socket: TLSSocket): void {
  (socket as TLSSocket & PeerTagged).weftPeerId = socket.authorized ? spiffeIdOf(socket.getPeerCertificate()) : null;
}

/** The verified SPIFFE ID of the peer of the connection a request arrived on; null on plaintext or without a client certificate. */
export function peerIdOf(req: DownstreamRequest): string | null {
  return (req.socket as (typeof req.socket & PeerTagged) | undefined)?.weftPeerId ?? null;
}
