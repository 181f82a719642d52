import { request as h1Request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  applyHeaderOpsToList,
  CONNECT_FAILURE_OUTCOME,
  RESET_OUTCOME,
  type CompiledRoute,
  type HeaderOp,
  type HttpConnectionManagerModel,
} from '@weft/proxy-core';
import { connectFailure, noHealthyUpstream, overflow, upstreamReset } from '../errors/proxy-error';
import { localReply, rescue, type LocalReply } from '../errors/rescue';
import type { RequestContext, UpgradeStream } from '../listener/request-context';
import type { Cluster } from '../upstream/cluster';
import type { Host } from '../upstream/host';
import { outcomeOfResponse, type UpstreamOutcome } from '../upstream/outcome';
import { endResponse, sendLocalReply, writeResponseChunk, writeResponseHead } from './downstream-writer';
import { noteUpstreamPeer, relayedResponseHeaders } from './headers';
import { PEER_HEADER } from '../observability/peer-metadata';

/** Where an upgrade goes: the upstream request head is already routed, rewritten and mutated. */
export interface UpgradePlan {
  readonly cluster: Cluster;
  readonly path: string;
  /** End-to-end request headers (host, request id, trace, route header mutations applied). */
  readonly headers: string[];
  /** The route's hash policy applied to the request (ring hash / Maglev), or null. */
  readonly hash: number | null;
  /** A switched tunnel silent this long either way is closed (route idle_timeout, else stream_idle_timeout); null: never. */
  readonly idleTimeoutMs: number | null;
  readonly responseHeaderOps: readonly HeaderOp[];
  /** Inbound, to a caller that sent peer metadata: this proxy's own, added to the answer; else null. */
  readonly responsePeer: string | null;
}

/** WebSocket only; a route's upgrade_configs override its connection manager's (Envoy). */
export function upgradeAllowed(ctx: RequestContext, route: CompiledRoute, hcm: HttpConnectionManagerModel): boolean {
  if (String(ctx.headers.upgrade ?? '').toLowerCase() !== 'websocket') return false;
  const action = route.action;
  return (action.kind === 'route' ? (action.upgradeWebsocket ?? hcm.upgradeWebsocket) : hcm.upgradeWebsocket) === true;
}

/** Envoy answers an upgrade its config does not enable with 403 before any filter runs. */
export function upgradeRefused(ctx: RequestContext): LocalReply {
  const kind = String(ctx.headers.upgrade ?? '').replace(/[^\x21-\x7e]+/g, ' ');
  return localReply(403, '', null, `WEFT_ERR_PROXY_UPGRADE_NOT_ALLOWED: upgrade ${kind} not enabled`);
}

/**
 * One upgraded request (WebSocket) after the route and the HTTP filters let it through: the request
 * head goes to a host of the cluster over Cluster.connectRaw (the cluster's mTLS/TLS when it has
 * one). A 101 switches the connection to a tunnel relaying bytes both ways; any other response is
 * relayed as it is and the connection closed. A tunnel silent both ways for the stream idle timeout
 * is closed (Envoy: the route's idle_timeout, else the HCM's stream_idle_timeout, 5 min by default).
 * The request is reported once (`onDone`), when the tunnel closes: status 101, its lifetime, the
 * bytes relayed each way (Envoy logs an upgraded stream at its end); failures are answered through
 * rescue() with their response flag. The attempt's outcome — connect failure, reset before an
 * answer, or the response status (101 included) — goes to the cluster like a request's: outlier
 * detection, the host's success/error counts and `weft_proxy_upstream_rq_total`.
 */
export class UpgradeTunnel {
  private host: Host | null = null;
  /** Holds one of the cluster's max_requests while open (an upgraded stream is an active request in Envoy). */
  private holdsRequest = false;
  private upstream: Duplex | null = null;
  private request: ClientRequest | null = null;
  private switched = false;
  private closed = false;
  private attemptStart = 0;
  private reported = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly stream: UpgradeStream,
    private readonly plan: UpgradePlan,
    private readonly onDone: (ctx: RequestContext) => void,
  ) {}

  start(): void {
    const { cluster } = this.plan;
    this.ctx.upstreamCluster = cluster.name;
    const host = cluster.pick(this.plan.hash, null);
    if (host === null) return this.fail(noHealthyUpstream(cluster.name));
    if (!cluster.breaker.tryAcquire('requests')) {
      cluster.countOverflow('requests');
      return this.fail(overflow(cluster.name, 'requests'));
    }
    this.holdsRequest = true;
    this.host = host;
    this.ctx.upstreamHost = host.id;
    host.activeRequests++;
    this.attemptStart = performance.now();
    const downstream = this.stream.socket;
    downstream.once('close', () => this.onDownstreamClose());
    downstream.on('error', () => this.onDownstreamClose());
    cluster.connectRaw(host, (err, socket) => this.onConnect(err, socket));
  }

  private onConnect(err: Error | null, socket: Socket | null): void {
    if (this.closed) return void socket?.destroy();
    if (err !== null || socket === null) {
      this.report(CONNECT_FAILURE_OUTCOME);
      return this.fail(connectFailure(this.plan.cluster.name, err ?? new Error('no socket')));
    }
    this.upstream = socket;
    const req = h1Request({ method: this.ctx.method, path: this.plan.path, headers: this.plan.headers, createConnection: () => socket });
    this.request = req;
    req.once('upgrade', (res: IncomingMessage, up: Duplex, head: Buffer) => this.onSwitched(res, up, head));
    req.once('response', (res: IncomingMessage) => this.onResponse(res));
    req.on('error', (e: Error) => {
      if (this.ctx.status !== 0) return this.close();
      if (!this.closed) this.report(RESET_OUTCOME);
      this.fail(upstreamReset(this.plan.cluster.name, e));
    });
    req.end();
  }

  /** 101: the response head goes to the client, then bytes flow both ways until either side closes. */
  private onSwitched(res: IncomingMessage, up: Duplex, head: Buffer): void {
    if (this.closed) return void up.destroy();
    this.switched = true;
    this.upstream = up;
    this.report(outcomeOfResponse(res.statusCode ?? 101, res.headers as Record<string, string | string[]>));
    const ctx = this.ctx;
    const down = this.stream.socket;
    ctx.status = res.statusCode ?? 101;
    (ctx.res as ServerResponse).detachSocket(down as Socket);
    const headers = res.rawHeaders.slice();
    applyHeaderOpsToList(this.plan.responseHeaderOps, headers);
    noteUpstreamPeer(ctx, res.headers[PEER_HEADER]);
    let text = `HTTP/1.1 ${ctx.status} ${res.statusMessage ?? 'Switching Protocols'}\r\n`;
    for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() !== PEER_HEADER) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    if (this.plan.responsePeer !== null) text += `${PEER_HEADER}: ${this.plan.responsePeer}\r\n`;
    down.write(`${text}\r\n`);
    if (head.length > 0) down.write(head);
    if (this.stream.head.length > 0) up.write(this.stream.head);
    ctx.bytesSent = head.length;
    ctx.bytesReceived = this.stream.head.length;
    down.on('data', (c: Buffer) => (ctx.bytesReceived += c.length));
    up.on('data', (c: Buffer) => (ctx.bytesSent += c.length));
    down.pipe(up);
    up.pipe(down);
    up.once('close', () => this.close());
    up.on('error', () => this.close());
    // Reads and writes both re-arm a socket's timeout: the downstream sees traffic of either direction.
    if (this.plan.idleTimeoutMs !== null) (down as Socket).setTimeout(this.plan.idleTimeoutMs, () => this.close());
  }

  /** Not switched: the upstream's answer is relayed as it is, then the connection closes. */
  private onResponse(res: IncomingMessage): void {
    const ctx = this.ctx;
    this.report(outcomeOfResponse(res.statusCode ?? 502, res.headers as Record<string, string | string[]>));
    const out = ctx.res as ServerResponse;
    writeResponseHead(ctx, res.statusCode ?? 502, relayedResponseHeaders(ctx, res.headers, this.plan.responsePeer, this.plan.responseHeaderOps));
    res.on('data', (c: Buffer) => {
      if (!writeResponseChunk(ctx, c)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.once('end', () => {
      out.once('finish', () => this.close());
      endResponse(ctx, null);
    });
    res.once('error', () => this.close());
  }

  private onDownstreamClose(): void {
    if (this.closed) return;
    if (this.ctx.status === 0) this.ctx.addFlag('DC');
    this.close();
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    sendLocalReply(this.ctx, rescue(err, false));
    this.close();
  }

  /** The upstream attempt's outcome, once (the cluster's outlier detection and upstream stats). */
  private report(outcome: UpstreamOutcome): void {
    if (this.reported || this.host === null) return;
    this.reported = true;
    this.plan.cluster.onOutcome(this.host, outcome, performance.now() - this.attemptStart);
  }

  /** Once: releases the host, closes the upstream (and a switched downstream), reports the request. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.host !== null) this.host.activeRequests--;
    if (this.holdsRequest) this.plan.cluster.breaker.release('requests');
    this.request?.destroy();
    this.upstream?.destroy();
    const down = this.stream.socket as Socket;
    // Before a 101 the downstream belongs to its ServerResponse, which closes it once written.
    if (this.switched || this.ctx.status === 0) down.destroySoon();
    this.onDone(this.ctx);
  }
}
