import type { IncomingHttpHeaders } from 'node:http';
import { applyHeaderOps, type HeaderOp } from '@weft/proxy-core';
import type { RequestContext } from '../listener/request-context';
import { PEER_HEADER } from '../observability/peer-metadata';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and HTTP/2 connection-specific ones: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
]);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}

/**
 * Not copied from one side to the other: hop-by-hop headers, and the peer metadata that only passes
 * between proxies (read by the side that receives it, set by the side that sends it; never the apps').
 */
const NOT_COPIED = new Set([...HOP_BY_HOP, PEER_HEADER]);

/**
 * Request headers for the upstream as a flat `[name, value, …]` list: every end-to-end header of
 * the downstream request (pseudo-headers, hop-by-hop ones and peer metadata removed, `te: trailers`
 * kept for gRPC),
 * with `host` set to the (possibly rewritten) authority.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], authority: string): string[] {
  const out: string[] = ['host', authority];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (name.charCodeAt(0) === 58 /* : */ || name === 'host') continue;
    const value = rawHeaders[i + 1];
    if (NOT_COPIED.has(name)) {
      if (name === 'te' && value.trim().toLowerCase() === 'trailers') out.push('te', 'trailers');
      continue;
    }
    out.push(name, value);
  }
  return out;
}

/** Sets (replaces) a header in a flat list. */
export function setHeader(list: string[], name: string, value: string): void {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) {
      list[i + 1] = value;
      return;
    }
  }
  list.push(name, value);
}

/** Removes every occurrence of a header from a flat list. */
export function removeHeader(list: string[], name: string): void {
  for (let i = list.length - 2; i >= 0; i -= 2) {
    if (list[i] === name) list.splice(i, 2);
  }
}

/** Response headers from upstream for the downstream: hop-by-hop (HTTP/2 forbids them) and peer metadata removed. */
export function downstreamResponseHeaders(headers: Record<string, string | string[] | undefined>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (NOT_COPIED.has(name) || name.charCodeAt(0) === 58) continue;
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Outbound: the destination's proxy names its workload in the response's peer metadata (read for the metrics, never relayed). */
export function noteUpstreamPeer(ctx: RequestContext, value: string | string[] | undefined): void {
  if (!ctx.inbound && typeof value === 'string') ctx.upstreamPeer = value;
}

/**
 * The downstream head of an upstream response, for forwarded requests and upgrades alike: its
 * end-to-end headers (downstreamResponseHeaders), this proxy's peer metadata when it answers a
 * caller's (`responsePeer`), then the route's response header mutations (a removed header is dropped).
 */
export function relayedResponseHeaders(
  ctx: RequestContext,
  upstream: Record<string, string | string[] | undefined>,
  responsePeer: string | null,
  ops: readonly HeaderOp[],
): IncomingHttpHeaders {
  noteUpstreamPeer(ctx, upstream[PEER_HEADER]);
  const out = downstreamResponseHeaders(upstream);
  if (responsePeer !== null) out[PEER_HEADER] = responsePeer;
  if (ops.length > 0) {
    applyHeaderOps(ops, out);
    for (const name in out) if (out[name] === undefined) delete out[name];
  }
  return out;
}
