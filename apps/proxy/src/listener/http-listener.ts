import { createServer as createH1Server, type IncomingMessage, type Server as H1Server, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ListenerModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import { RequestContext } from './request-context';
import { sniffProtocol } from './sniff';

/** What the listener hands each request and upgrade to (the route stage). */
export interface HttpHandler {
  handle(ctx: RequestContext): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large' };

/**
 * An HTTP listener: one TCP port that serves HTTP/1.1 (node:http, llhttp in strict mode) and HTTP/2
 * prior knowledge (h2c, gRPC) side by side, told apart by the first bytes of each connection.
 * Malformed requests (smuggling attempts, bad chunking, oversized headers) are answered 400/431 by
 * the parser and never reach a route. Draining stops accepting, closes idle connections and asks
 * busy ones to close after their current request.
 */
export class HttpListener {
  readonly server: Server;
  private readonly h1: H1Server;
  private readonly h2: Http2Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private inFlight = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly model: ListenerModel,
    private handler: HttpHandler,
    private readonly log: Logger,
  ) {
    const hcm = model.http;
    const maxHeaderSize = (hcm?.maxRequestHeadersKb ?? 60) * 1024;
    const idle = hcm?.idleTimeoutMs ?? 3_600_000;
    this.h1 = createH1Server(
      { maxHeaderSize, keepAliveTimeout: Math.min(idle, 2_147_483_647), requestTimeout: 0, headersTimeout: 60_000, insecureHTTPParser: false, joinDuplicateHeaders: false },
      (req, res) => this.onRequest(req, res),
    );
    this.h1.on('clientError', (err: Error & { code?: string }, socket: Duplex) => this.onClientError(err, socket));
    this.h1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handler.upgrade(req, socket, head));
    this.h2 = createH2Server({ maxHeaderListPairs: 256, settings: { maxHeaderListSize: maxHeaderSize } }, (req, res) => this.onRequest(req, res));
    this.h2.on('session', (s: ServerHttp2Session) => {
      this.sessions.add(s);
      s.once('close', () => this.sessions.delete(s));
      if (this.draining) s.close();
    });
    this.server = createNetServer((socket) => this.onConnection(socket));
  }

  /** Points new requests at a new handler (config swap); requests in flight keep theirs. */
  setHandler(handler: HttpHandler): void {
    this.handler = handler;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    sniffProtocol(socket, (protocol) => {
      (protocol === 'h2' ? this.h2 : this.h1).emit('connection', socket);
      socket.resume();
    });
  }

  private onRequest(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
    this.inFlight++;
    res.once('close', () => this.onRequestClosed());
    if (this.draining && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
    this.handler.handle(new RequestContext(req, res));
  }

  private onRequestClosed(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.draining) {
      this.h1.closeIdleConnections();
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private onClientError(err: Error & { code?: string }, socket: Duplex): void {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    if ((socket as Socket).writable && !(socket as Socket).destroyed) {
      const reason = `WEFT_ERR_PROXY_BAD_REQUEST: ${err.code ?? 'malformed request'}`;
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nconnection: close\r\ncontent-length: 0\r\nx-weft-error: ${reason}\r\n\r\n`);
    }
    socket.destroy();
    this.log.debug({ code: err.code, listener: this.model.name }, 'rejected malformed request');
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.model.port, this.model.address, () => {
        this.server.removeListener('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : this.model.port);
      });
    });
  }

  /** Stops accepting and lets in-flight requests finish; resolves when none is left. */
  drain(): Promise<void> {
    this.draining = true;
    this.server.close();
    this.h1.closeIdleConnections();
    for (const s of this.sessions) s.close();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    for (const s of this.sessions) s.destroy();
  }
}
