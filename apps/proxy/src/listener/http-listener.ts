import { createServer as createH1Server, ServerResponse, type IncomingMessage, type Server as H1Server } from 'node:http';
import { createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { DownstreamTlsModel, ListenerModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import { RequestContext, type DownstreamRequest, type DownstreamResponse } from './request-context';
import { peerIdOf, tagPeer } from '../tls/downstream-peer';
import type { WorkloadIdentity } from '../tls/workload-identity';
import { sniffProtocol, type SniffedProtocol } from './sniff';
import { listenOn } from './listen';
import { FastH1Connection, type FastH1Owner, type FastH1Timeouts } from './fast-h1-connection';
import type { FastH1Request } from './fast-h1-request';
import type { FastH1Response } from './fast-h1-response';
import { refusalText } from './refusal';
import { listenerLimits } from './listener-limits';

/** What the listener hands each request to (the route stage); an upgrade is a request with `ctx.upgrade` set. */
export interface HttpHandler {
  handle(ctx: RequestContext): void;
}

/**
 * An HTTP listener: one TCP port that serves HTTP/1.1 and HTTP/2 prior knowledge (h2c, gRPC) side by
 * side, told apart by the first bytes of each connection. Plaintext HTTP/1.1 takes the fast path
 * (FastH1Connection: llhttp on the raw socket, no IncomingMessage/ServerResponse); TLS connections
 * and upgrades go through node:http (llhttp in strict mode too). Malformed requests (smuggling
 * attempts, bad chunking, oversized headers) are answered 400/431 by the parser and never reach a
 * route. Draining stops accepting, closes idle connections and asks busy ones to close after their
 * current request.
 */
export class HttpListener implements FastH1Owner {
  readonly server: Server;
  private readonly h1: H1Server;
  private readonly h2: Http2Server;
  private readonly sockets = new Set<Socket>();
  /** Raw sockets now owned by the TLS server or an HTTP/2 session (drained through those, not destroyed). */
  private readonly handedOver = new WeakSet<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Responses in flight (for drain). */
  private readonly active = new Set<DownstreamResponse>();
  private inFlight = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  /** The listener's DownstreamTlsContext (null: plaintext), replaceable in place (PeerAuthentication changes). */
  private tlsMode: DownstreamTlsModel | null = null;
  /** Terminates TLS with the workload identity; null: plaintext, or no identity. */
  private tls: TlsServer | null = null;
  private offIdentity: (() => void) | null = null;
  readonly maxHeaderSize: number;
  private readonly fast = new Set<FastH1Connection>();
  private readonly fastTimeouts: FastH1Timeouts;
  private readonly sweep: NodeJS.Timeout;

  constructor(
    readonly model: ListenerModel,
    private handler: HttpHandler,
    private readonly log: Logger,
    private readonly identity: WorkloadIdentity | null = null,
  ) {
    const limits = listenerLimits(model.http);
    this.maxHeaderSize = limits.maxHeaderSize;
    this.fastTimeouts = limits.fast;
    this.sweep = setInterval(() => this.checkFastTimeouts(), limits.sweepEveryMs).unref();
    this.h1 = createH1Server(limits.h1, (req, res) => this.onRequest(req, res));
    this.h1.on('clientError', (err: Error & { code?: string }, socket: Duplex) => this.onClientError(err, socket));
    // The h1 server never listens itself (connections are handed over after sniffing), so start its
    // connection tracking by hand: it enforces headersTimeout (slowloris) and request_timeout.
    this.h1.emit('listening');
    this.h1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    // CONNECT (tunnelling) is not supported: refused like a malformed request instead of a silent close.
    this.h1.on('connect', (_req: IncomingMessage, socket: Duplex) => this.refuse(socket, 400, 'CONNECT is not supported'));
    this.h2 = createH2Server({ maxHeaderListPairs: 256, settings: { maxHeaderListSize: limits.maxHeaderSize } }, (req, res) => this.onRequest(req, res));
    this.h2.on('session', (s: ServerHttp2Session) => {
      this.sessions.add(s);
      s.once('close', () => this.sessions.delete(s));
      if (this.draining) s.close();
    });
    this.setTls(model.tls);
    this.server = createNetServer((socket) => this.onConnection(socket));
  }

  /**
   * Applies a new TLS mode to new connections, e.g. PERMISSIVE → STRICT. When plaintext is no longer
   * allowed, open plaintext connections are drained (as Envoy drains a removed filter chain): idle
   * ones close now, busy ones after their response (HTTP/2: GOAWAY).
   */
  setTls(mode: DownstreamTlsModel | null): void {
    const sameServer = this.tlsMode !== null && mode !== null && this.tlsMode.requireClientCertificate === mode.requireClientCertificate;
    const wasPlaintext = this.tlsMode === null || this.tlsMode.allowPlaintext;
    this.tlsMode = mode;
    if (wasPlaintext && mode !== null && !mode.allowPlaintext) this.drainPlaintext();
    if (sameServer) return;
    this.offIdentity?.();
    this.offIdentity = null;
    this.tls = mode !== null && this.identity !== null ? this.tlsServer(mode.requireClientCertificate, this.identity) : null;
  }

  /**
   * node:tls terminating connections handed over after sniffing. A rotated identity replaces the
   * secure context for new handshakes; connections already established keep theirs.
   */
  private tlsServer(requireClientCertificate: boolean, identity: WorkloadIdentity): TlsServer {
    const server = createTlsServer(
      { requestCert: true, rejectUnauthorized: requireClientCertificate, ALPNProtocols: ['h2', 'http/1.1'], ...(identity.serverOptions() ?? {}) },
      (s) => this.onSecureConnection(s),
    );
    server.on('tlsClientError', (err: Error & { code?: string }, s: TLSSocket) => {
      this.log.debug({ code: err.code, err: err.message, listener: this.model.name }, 'tls handshake refused');
      s.destroy();
    });
    this.offIdentity = identity.onChange((id) => {
      const options = id.serverOptions();
      if (options !== null) server.setSecureContext(options);
    });
    return server;
  }

  /** Points new requests at a new handler (config swap); requests in flight keep theirs. */
  setHandler(handler: HttpHandler): void {
    this.handler = handler;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    sniffProtocol(socket, (sniffed) => {
      const tls = this.tlsMode;
      if (tls === null) return this.serve(socket, sniffed === 'h2' ? 'h2' : 'http1');
      // STRICT: everything goes to the TLS handshake (plaintext fails it); PERMISSIVE: by the first byte.
      if (sniffed === 'tls' || !tls.allowPlaintext) {
        if (this.tls === null) return socket.destroy(); // no workload identity: the proxy refused this config
        this.handedOver.add(socket);
        this.tls.emit('connection', socket);
        return;
      }
      this.serve(socket, sniffed === 'h2' ? 'h2' : 'http1');
    });
  }

  private drainPlaintext(): void {
    for (const res of this.active) if ('shouldKeepAlive' in res && !res.headersSent && !isTls(res.socket)) res.shouldKeepAlive = false;
    for (const session of this.sessions) if (!isTls(session.socket)) session.close();
    const fastSockets = new Set<Duplex>();
    for (const conn of this.fast) {
      fastSockets.add(conn.socket);
      conn.drain();
    }
    for (const socket of this.sockets) {
      if (fastSockets.has(socket)) continue;
      const busy = (socket as { _httpMessage?: unknown })._httpMessage;
      if (!isTls(socket) && (busy === undefined || busy === null) && !this.handedOver.has(socket)) socket.destroy();
    }
  }

  /** A TLS connection past its handshake: the client certificate was verified (when required). */
  private onSecureConnection(socket: TLSSocket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A response leaves as several TLS records: without TCP_NODELAY, Nagle holds the last one back
    // until the peer's delayed ACK (tens of ms).
    socket.setNoDelay(true);
    tagPeer(socket);
    this.serve(socket, socket.alpnProtocol === 'h2' ? 'h2' : 'http1');
  }

  private serve(socket: Socket, sniffed: Exclude<SniffedProtocol, 'tls'>): void {
    // codec_type HTTP1 / HTTP2 pins the codec; AUTO goes by the connection's first bytes (ALPN over TLS).
    const codec = this.model.http?.codecType ?? 'AUTO';
    const protocol = codec === 'HTTP1' ? 'http1' : codec === 'HTTP2' ? 'h2' : sniffed;
    if (protocol === 'h2') {
      // The session reads the unshifted preface itself (socket.read() on the next tick) and then
      // consumes the native handle: resuming the socket here would hand those bytes to nobody.
      this.handedOver.add(socket);
      this.h2.emit('connection', socket);
      return;
    }
    if (!isTls(socket)) {
      this.fast.add(new FastH1Connection(socket, this));
      socket.resume();
      return;
    }
    this.h1.emit('connection', socket);
    socket.resume();
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** FastH1Owner: a request of the fast path, served exactly like one of node:http. */
  onFastRequest(req: FastH1Request, res: FastH1Response): void {
    // The end of the response is reported by onFastResponseClosed (no listener per request).
    this.dispatch(req, res);
  }

  onFastResponseClosed(res: FastH1Response): void {
    this.onRequestClosed(res);
  }

  /** FastH1Owner: an upgrade (WebSocket, h2c offer, CONNECT) continues on node:http, its head replayed. */
  handOver(socket: Socket, replay: Buffer): void {
    socket.pause();
    socket.unshift(replay);
    this.h1.emit('connection', socket);
    socket.resume();
  }

  onFastClosed(conn: FastH1Connection): void {
    this.fast.delete(conn);
  }

  private checkFastTimeouts(): void {
    const now = performance.now();
    for (const conn of this.fast) conn.checkTimeouts(now, this.fastTimeouts);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const bodyless = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    const h2cOffer = String(req.headers.upgrade).toLowerCase() === 'h2c' && bodyless && head.length === 0;
    // The response of an upgrade that does not switch (refused, or the upstream said no): written on
    // the socket, which then closes.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      if (h2cOffer) socket.end();
      else (socket as Socket).destroySoon();
    });
    // An h2c upgrade offer (curl --http2) is declined, as Envoy's codec does: the request is served as
    // plain HTTP/1.1 (the Upgrade headers are hop-by-hop, never forwarded), then the connection closes.
    if (h2cOffer) return this.onRequest(req, res);
    // Any other upgrade is a request like the rest (route, filters, metrics, access log); the route
    // stage tunnels it when the upstream switches protocols.
    const ctx = this.context(req, res);
    ctx.upgrade = { socket, head };
    // In flight until its connection closes: a drain (SIGTERM, removed listener) leaves an open tunnel
    // its drain time, as Envoy does, instead of cutting it at once.
    this.inFlight++;
    socket.once('close', () => this.released());
    this.handler.handle(ctx);
  }

  private onRequest(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
    res.once('close', () => this.onRequestClosed(res));
    this.dispatch(req, res);
  }

  private dispatch(req: DownstreamRequest, res: DownstreamResponse): void {
    this.inFlight++;
    this.active.add(res);
    if (this.draining && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
    this.handler.handle(this.context(req, res));
  }

  private context(req: DownstreamRequest, res: DownstreamResponse): RequestContext {
    const ctx = new RequestContext(req, res);
    // mTLS: the client's verified SPIFFE ID (read by RBAC and the metrics); plaintext listeners skip the read.
    if (this.tlsMode !== null) ctx.peerPrincipal = peerIdOf(req);
    return ctx;
  }

  private onRequestClosed(res: DownstreamResponse): void {
    this.active.delete(res);
    this.released();
  }

  private released(): void {
    this.inFlight--;
    if (!this.draining) return;
    // Draining: a connection whose response just finished is idle now; close it before it is reused.
    this.h1.closeIdleConnections();
    for (const conn of this.fast) if (conn.idle) conn.destroy();
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private onClientError(err: Error & { code?: string }, socket: Duplex): void {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return this.refuse(socket, 408, 'request timeout');
    this.refuse(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, err.code ?? 'malformed request');
    this.log.debug({ code: err.code, listener: this.model.name }, 'rejected malformed request');
  }

  /** Answers a request the parser refused (no route ever sees it) and closes the connection. */
  private refuse(socket: Duplex, status: 400 | 408 | 431, why: string): void {
    // Never inside a response already under way on this connection (node:http's own rule).
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if ((socket as Socket).writable && !(socket as Socket).destroyed && inFlight?.headersSent !== true) socket.end(refusalText(status, why));
    socket.destroy();
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.model.address, this.model.port);
  }

  /** Stops accepting and lets in-flight requests finish; resolves when none is left. */
  drain(): Promise<void> {
    this.draining = true;
    // Responses not yet started announce `connection: close` (HTTP/2 sessions get GOAWAY below).
    for (const res of this.active) if ('shouldKeepAlive' in res && !res.headersSent) res.shouldKeepAlive = false;
    this.server.close();
    this.h1.closeIdleConnections();
    for (const conn of this.fast) conn.drain();
    for (const s of this.sessions) s.close();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  destroyAll(): void {
    this.offIdentity?.();
    clearInterval(this.sweep);
    for (const s of this.sockets) s.destroy();
    for (const s of this.sessions) s.destroy();
  }
}

function isTls(socket: Duplex | null | undefined): boolean {
  return (socket as TLSSocket | null | undefined)?.encrypted === true;
}
