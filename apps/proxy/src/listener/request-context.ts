import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { FastH1Request } from './fast-h1-request';
import type { FastH1Response } from './fast-h1-response';

/** A downstream request: node:http (TLS, upgrades), node:http2, or the plaintext HTTP/1.1 fast path. */
export type DownstreamRequest = IncomingMessage | Http2ServerRequest | FastH1Request;
export type DownstreamResponse = ServerResponse | Http2ServerResponse | FastH1Response;

/**
 * The events every downstream response emits, typed once: the union's overloaded `once`/`off`
 * signatures do not unify, so code that waits for a response to close or drain widens it to this.
 */
export interface ResponseEvents {
  once(event: 'close' | 'drain', listener: () => void): unknown;
  removeListener(event: 'close' | 'drain', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/** The connection of an HTTP/1.1 Upgrade request, handed over by node:http, and the bytes read past its head. */
export interface UpgradeStream {
  readonly socket: Duplex;
  readonly head: Buffer;
}

/**
 * Weft's view of one HTTP request, independent of the codec it arrived on: what filters and the
 * router read and annotate. Fixed shape: every field is set here.
 */
export class RequestContext {
  method: string;
  /** Host / :authority as sent (lower-cased). */
  authority: string;
  /** Path with query, as sent (origin form; absolute-form requests are reduced to their path). */
  path: string;
  scheme: string;
  /** False when the request target is neither origin form, `*` nor an http(s) absolute URL. */
  readonly validTarget: boolean;
  readonly headers: IncomingHttpHeaders;
  readonly protocol: 'HTTP/1.1' | 'HTTP/2';
  readonly grpc: boolean;
  readonly downstreamAddress: string;
  readonly startMs: number;
  requestId = '';
  traceId = '';
  /** Envoy response flags accumulated for this request, comma-separated. */
  flags = '';
  status = 0;
  grpcStatus = '';
  upstreamCluster: string | null = null;
  upstreamHost: string | null = null;
  bytesReceived = 0;
  bytesSent = 0;
  done = false;
  /** Arrived on an INBOUND listener (set by the route stage). */
  inbound = false;
  /** Was held for an on-demand virtual host and resumed: a second miss is a 404. */
  onDemandTried = false;
  /** Outbound: the peer-metadata header of the upstream's response (the destination workload); else null. */
  upstreamPeer: string | null = null;
  /** The peer's SPIFFE ID (`spiffe://td/ns/x/sa/y`) on an mTLS connection; null on plaintext. Read by RBAC. */
  peerPrincipal: string | null = null;
  /** An Upgrade (WebSocket) request: its connection becomes a tunnel when the upstream switches; else null. */
  upgrade: UpgradeStream | null = null;

  constructor(
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
  ) {
    this.headers = req.headers;
    this.method = req.method ?? 'GET';
    this.protocol = req.httpVersionMajor === 2 ? 'HTTP/2' : 'HTTP/1.1';
    const authority = (req.headers[':authority'] as string | undefined) ?? req.headers.host ?? '';
    const url = req.url ?? '/';
    const absolute = url.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(url) ? parseUrl(url) : null;
    if (absolute !== null) {
      // HTTP_PROXY-style absolute form: route by the URL's authority.
      this.authority = absolute.host.toLowerCase();
      this.path = `${absolute.pathname}${absolute.search}`;
      this.scheme = absolute.protocol.slice(0, -1);
      this.validTarget = true;
    } else {
      this.authority = authority.toLowerCase();
      this.path = url;
      this.scheme = (req.headers[':scheme'] as string | undefined) ?? 'http';
      // Origin form, or `*` (OPTIONS); anything else (another scheme, a malformed URL) is refused.
      this.validTarget = url.charCodeAt(0) === 47 || (url === '*' && this.method === 'OPTIONS');
    }
    const ct = req.headers['content-type'];
    this.grpc = typeof ct === 'string' && ct.startsWith('application/grpc');
    this.downstreamAddress = req.socket?.remoteAddress ?? '';
    this.startMs = performance.now();
  }

  addFlag(flag: string): void {
    this.flags = this.flags === '' ? flag : `${this.flags},${flag}`;
  }
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
