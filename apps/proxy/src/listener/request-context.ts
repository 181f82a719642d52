import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;
export type DownstreamResponse = ServerResponse | Http2ServerResponse;

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

  constructor(
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
  ) {
    this.headers = req.headers;
    this.method = req.method ?? 'GET';
    this.protocol = req.httpVersionMajor === 2 ? 'HTTP/2' : 'HTTP/1.1';
    const authority = (req.headers[':authority'] as string | undefined) ?? req.headers.host ?? '';
    const url = req.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(url)) {
      // HTTP_PROXY-style absolute form: route by the URL's authority.
      const u = new URL(url);
      this.authority = u.host.toLowerCase();
      this.path = `${u.pathname}${u.search}`;
      this.scheme = u.protocol.slice(0, -1);
    } else {
      this.authority = authority.toLowerCase();
      this.path = url;
      this.scheme = (req.headers[':scheme'] as string | undefined) ?? 'http';
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
