import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import type { UpstreamTlsModel } from '@weft/proxy-core';
import { principalOf, spiffeIdOf } from './spiffe';
import type { WorkloadIdentity } from './workload-identity';

/** undici's connector contract. */
export type Connector = buildConnector.connector;

/** A TLS failure to an upstream: counted as a connect failure (UF), the reason in x-weft-error. */
export class UpstreamTlsError extends Error {
  constructor(
    readonly code: 'WEFT_ERR_TLS_PEER_IDENTITY' | 'WEFT_ERR_TLS_HANDSHAKE' | 'WEFT_ERR_TLS_NO_CERTIFICATE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamTlsError';
  }
}

/**
 * mTLS origination for one cluster's hosts: the workload SVID and trust bundle current at connect
 * time (a rotation applies to new connections; open ones keep theirs), the cluster's SNI and ALPN,
 * the server chain verified against ROOTCA and its SPIFFE ID against the accepted SANs.
 */
export function upstreamTlsConnector(identity: WorkloadIdentity, model: UpstreamTlsModel, alpn: readonly string[], timeoutMs: number): Connector {
  const accepted = new Set(model.subjectAltNames);
  const checkServerIdentity = (_host: string, cert: PeerCertificate): Error | undefined => checkPeer(cert, accepted, model.subjectAltNames);
  return (opts, callback) => {
    const secureContext = identity.clientContext;
    if (secureContext === null) return callback(new UpstreamTlsError('WEFT_ERR_TLS_NO_CERTIFICATE', 'no workload certificate yet for mTLS'), null);
    const socket = tlsConnect({
      host: opts.hostname,
      port: Number(opts.port),
      secureContext,
      servername: model.sni === '' ? undefined : model.sni,
      ALPNProtocols: [...alpn],
      rejectUnauthorized: true,
      checkServerIdentity,
    });
    socket.setNoDelay(true);
    let settled = false;
    const done = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (err === null) return callback(null, socket as TLSSocket);
      socket.destroy();
      callback(err, null);
    };
    const onError = (err: Error & { code?: string }): void => done(err instanceof UpstreamTlsError ? err : handshakeError(opts.hostname, opts.port, err));
    const timer = setTimeout(() => done(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), timeoutMs);
    socket.once('secureConnect', () => done(null));
    socket.on('error', onError);
  };
}

function checkPeer(cert: PeerCertificate, accepted: ReadonlySet<string>, expected: readonly string[]): Error | undefined {
  if (accepted.size === 0) return undefined;
  const presented = spiffeIdOf(cert);
  if (presented !== null && accepted.has(presented)) return undefined;
  const want = expected.map(principalOf).join(' or ');
  return new UpstreamTlsError('WEFT_ERR_TLS_PEER_IDENTITY', `upstream identity mismatch: expected ${want}, presented ${presented === null ? '(no SPIFFE ID)' : principalOf(presented)}`);
}

function handshakeError(host: string, port: string, err: Error & { code?: string }): Error {
  const code = err.code ?? '';
  // Refused / unreachable stay what they are (connect failures already); the rest is the TLS handshake.
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return err;
  return new UpstreamTlsError('WEFT_ERR_TLS_HANDSHAKE', `TLS handshake with ${host}:${port} failed: ${code === '' ? err.message : `${code} ${err.message}`}`, { cause: err });
}
