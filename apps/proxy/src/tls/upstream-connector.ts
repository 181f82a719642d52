import { connect as tlsConnect, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import type { UpstreamTlsModel } from '@weft/proxy-core';
import { principalOf, spiffeIdOf } from '@weft/x509';
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
 * TLS origination for one cluster's hosts. Mesh (ISTIO_MUTUAL): the workload SVID and trust bundle
 * current at connect time (a rotation applies to new connections; open ones keep theirs), the server's
 * SPIFFE ID checked against the accepted SANs; without an identity every connect fails with
 * WEFT_ERR_TLS_NO_CERTIFICATE (UF), never plaintext. Files (DestinationRule SIMPLE / MUTUAL): the
 * context built from the files when the config was accepted, the chain verified against its CAs and
 * the certificate's DNS/URI SANs against the accepted ones.
 */
export function upstreamTlsConnector(identity: WorkloadIdentity | null, model: UpstreamTlsModel, alpn: readonly string[], timeoutMs: number): Connector {
  if (model.source === 'files') {
    const secureContext = model.secureContext as SecureContext;
    const check = (_host: string, cert: PeerCertificate): Error | undefined => checkSans(cert, model.subjectAltNames);
    return (opts, callback) => handshake(opts, callback, { secureContext, sni: model.sni, alpn, verify: model.verify, check, timeoutMs });
  }
  if (identity === null) {
    return (_opts, callback) => callback(new UpstreamTlsError('WEFT_ERR_TLS_NO_CERTIFICATE', 'mTLS cluster but the proxy has no workload identity (--ca)'), null);
  }
  const accepted = new Set(model.subjectAltNames);
  const check = (_host: string, cert: PeerCertificate): Error | undefined => checkPeer(cert, accepted, model.subjectAltNames);
  return (opts, callback) => {
    const secureContext = identity.clientContext;
    if (secureContext === null) return callback(new UpstreamTlsError('WEFT_ERR_TLS_NO_CERTIFICATE', 'no workload certificate yet for mTLS'), null);
    handshake(opts, callback, { secureContext, sni: model.sni, alpn, verify: true, check, timeoutMs });
  };
}

interface HandshakeOptions {
  readonly secureContext: SecureContext;
  readonly sni: string;
  readonly alpn: readonly string[];
  readonly verify: boolean;
  readonly check: (host: string, cert: PeerCertificate) => Error | undefined;
  readonly timeoutMs: number;
}

function handshake(opts: buildConnector.Options, callback: buildConnector.Callback, o: HandshakeOptions): void {
  const socket = tlsConnect({
    host: opts.hostname,
    port: Number(opts.port),
    secureContext: o.secureContext,
    servername: o.sni === '' ? undefined : o.sni,
    ALPNProtocols: [...o.alpn],
    rejectUnauthorized: o.verify,
    checkServerIdentity: o.check,
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
  const timer = setTimeout(() => done(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), o.timeoutMs);
  socket.once('secureConnect', () => done(null));
  socket.on('error', onError);
}

/** Files mode: `DNS:<name>` / `URI:<uri>` matchers against the certificate's subjectAltName, exact. */
function checkSans(cert: PeerCertificate, accepted: readonly string[]): Error | undefined {
  if (accepted.length === 0) return undefined;
  const presented = (cert.subjectaltname ?? '').split(', ').filter((s) => s !== '');
  if (presented.some((p) => accepted.includes(p))) return undefined;
  return new UpstreamTlsError(
    'WEFT_ERR_TLS_PEER_IDENTITY',
    `upstream certificate names ${presented.length === 0 ? '(no subjectAltName)' : presented.join(', ')}; expected ${accepted.join(' or ')}`,
  );
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
