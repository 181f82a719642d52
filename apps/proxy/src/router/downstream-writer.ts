import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { LocalReply } from '../errors/rescue';
import type { RequestContext } from '../listener/request-context';

/**
 * What the writer calls on a downstream response: ServerResponse, Http2ServerResponse and
 * FastH1Response all offer it (their own overloads do not unify, so the union is widened to this).
 */
interface ResponseWriter {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly statusCode: number;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: Buffer): boolean;
  addTrailers(trailers: Record<string, string | string[]>): void;
  end(): unknown;
  end(chunk: string): unknown;
  destroy(): unknown;
}

/**
 * Writes responses to the downstream, whatever its codec (node:http, the HTTP/2 compatibility API or
 * the HTTP/1.1 fast path). The only code that touches ServerResponse.
 */
export function writeResponseHead(ctx: RequestContext, status: number, headers: IncomingHttpHeaders): void {
  ctx.status = status;
  const res: ResponseWriter = ctx.res;
  if (res.headersSent || res.destroyed) return;
  if (ctx.protocol === 'HTTP/2' && headers['grpc-status'] !== undefined) {
    // gRPC trailers-only response (grpc-status among the headers): it must leave as ONE HEADERS frame
    // with END_STREAM, or clients report "no status". The compatibility API sends HEADERS at
    // writeHead, so the headers are only set here and end() sends them, ending the stream.
    const h2 = ctx.res as Http2ServerResponse;
    h2.statusCode = status;
    for (const name in headers) {
      const v = headers[name];
      if (v !== undefined) h2.setHeader(name, v);
    }
    return;
  }
  res.writeHead(status, headers as OutgoingHttpHeaders);
}

/** Writes a chunk; returns false when the downstream asks to wait for 'drain'. */
export function writeResponseChunk(ctx: RequestContext, chunk: Buffer): boolean {
  ctx.bytesSent += chunk.length;
  const res: ResponseWriter = ctx.res;
  return res.write(chunk);
}

export function endResponse(ctx: RequestContext, trailers: Record<string, string | string[]> | null): void {
  const res: ResponseWriter = ctx.res;
  if (trailers !== null) {
    let any = false;
    for (const _ in trailers) {
      any = true;
      break;
    }
    if (any) {
      // Headers, then trailers in their own HEADERS frame (not folded into a trailers-only reply).
      if (!res.headersSent) res.writeHead(res.statusCode);
      res.addTrailers(trailers);
    }
    const gs = trailers['grpc-status'];
    if (gs !== undefined) ctx.grpcStatus = String(gs);
  }
  res.end();
}

/** A local reply: HTTP status and body, or a gRPC trailers-only response; x-weft-error says why. */
export function sendLocalReply(ctx: RequestContext, reply: LocalReply): void {
  const res: ResponseWriter = ctx.res;
  if (reply.flag !== null) ctx.addFlag(reply.flag);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of reply.headers) headers[k] = v;
  if (reply.reason !== null) headers['x-weft-error'] = reply.reason;
  if (ctx.grpc && reply.grpcStatus !== null) {
    headers['content-type'] = 'application/grpc';
    headers['grpc-status'] = String(reply.grpcStatus);
    headers['grpc-message'] = encodeURIComponent(reply.reason ?? reply.body.trim());
    ctx.grpcStatus = String(reply.grpcStatus);
    writeResponseHead(ctx, 200, headers as IncomingHttpHeaders);
    res.end();
    return;
  }
  // A protocol error leaves the connection in doubt: answer, then close it (Envoy does the same).
  if (reply.flag === 'DPE' && 'shouldKeepAlive' in ctx.res) ctx.res.shouldKeepAlive = false;
  headers['content-type'] = 'text/plain; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(reply.body));
  writeResponseHead(ctx, reply.status, headers as IncomingHttpHeaders);
  ctx.bytesSent += Buffer.byteLength(reply.body);
  if (ctx.method === 'HEAD') res.end();
  else res.end(reply.body);
}
