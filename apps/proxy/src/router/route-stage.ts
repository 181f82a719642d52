import {
  applyHeaderOps,
  applyHeaderOpsToList,
  compileRetryOn,
  matchRoute,
  pickCluster,
  rewritePath,
  selectVirtualHost,
  type CompiledCluster,
  type CompiledRoute,
  type ForwardActionModel,
  type HttpConnectionManagerModel,
  type RetryPolicyModel,
  type RouteTable,
} from '@weft/proxy-core';
import { ProxyError, noCluster, noRoute, noRouteOnDemand } from '../errors/proxy-error';
import { localReply, rescue, type LocalReply } from '../errors/rescue';
import { runFilters } from '../filters/filter-chain';
import type { HttpFilter, RouteFilterConfig } from '../filters/filter';
import type { HttpHandler } from '../listener/http-listener';
import type { RequestContext } from '../listener/request-context';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { RetryDecider } from '../upstream/outcome';
import { sendLocalReply } from './downstream-writer';
import { ForwardRequest } from './forward-request';
import { requestHash } from './hash-policy';
import { setHeader, upstreamRequestHeaders } from './headers';
import { mirrorRequest } from './mirror';
import { redirectLocation } from './redirect';
import { RequestBody, hasBody } from './request-body';
import { PEER_HEADER } from '../observability/peer-metadata';
import { ensureTraceHeaders } from './trace-headers';
import { UpgradeTunnel, upgradeAllowed, upgradeRefused } from './upgrade';

/** Bodies up to this size are kept for retries and mirrors (Envoy's default buffer limit is 1 MiB). */
const RETRY_BUFFER_LIMIT = 64 * 1024;

/** One HTTP listener's compiled config: built when a snapshot is applied, then read-only. */
export interface ActiveHttpConfig {
  readonly version: string;
  readonly listener: string;
  readonly hcm: HttpConnectionManagerModel;
  readonly table: RouteTable;
  readonly filters: readonly HttpFilter[];
}

export interface RouteDeps {
  readonly clusters: ClusterManager;
  readonly random: () => number;
  /** Called once per request when it is over (metrics, access log). */
  readonly onDone: (ctx: RequestContext) => void;
  /** VHDS on demand (the xDS client), or null. */
  onDemand: OnDemandHook | null;
  /** This proxy's `<workload>.<namespace>` for the peer-metadata header (x-weft-peer). */
  readonly peer: string;
}

/**
 * Holds a request whose authority matched no virtual host of an RDS route configuration while the
 * virtual host is asked for (VHDS on demand). Returns false when the route configuration has no
 * on-demand virtual hosts (the request is then answered 404 at once). A held request later resumes
 * on the newest stage of its listener (`resumeHeld`) or is answered 404 NR (`rejectHeld`).
 */
export interface OnDemandHook {
  hold(ctx: RequestContext, stage: RouteStage, routeConfigName: string): boolean;
}

const badTarget = (target: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_BAD_REQUEST', 'DPE', `invalid request target ${JSON.stringify(target.slice(0, 100))}`);

/** Route idle_timeout overrides the HCM stream_idle_timeout; 0 disables it (Envoy). */
function idleTimeoutOf(route: number | null, stream: number | null): number | null {
  const t = route ?? stream;
  return t === null || t === 0 ? null : t;
}

const retryDeciders = new WeakMap<RetryPolicyModel, RetryDecider>();
function deciderFor(policy: RetryPolicyModel): RetryDecider {
  let d = retryDeciders.get(policy);
  if (d === undefined) {
    d = compileRetryOn(policy);
    retryDeciders.set(policy, d);
  }
  return d;
}

/**
 * The route stage of an HTTP listener: route match, the filter chain, then the router's action
 * (forward, redirect, direct response). One instance per listener per config snapshot; a request
 * keeps the instance it started with.
 */
export class RouteStage implements HttpHandler {
  constructor(
    readonly active: ActiveHttpConfig,
    private readonly deps: RouteDeps,
  ) {}

  handle(ctx: RequestContext): void {
    ctx.inbound = this.active.hcm.direction === 'INBOUND';
    if (!ctx.validTarget) return this.reply(ctx, rescue(badTarget(ctx.path), ctx.grpc));
    const route = matchRoute(this.active.table, ctx);
    if (route === null) return this.noRoute(ctx);
    if (ctx.upgrade !== null && !upgradeAllowed(ctx, route, this.active.hcm)) return this.reply(ctx, upgradeRefused(ctx));
    // No HTTP filters but the router: straight to the action (no continuation closures per request).
    if (this.active.filters.length === 0) return this.act(ctx, route);
    const perRoute: RouteFilterConfig = { route: route.model.perFilter, vhost: route.virtualHost.model.perFilter };
    runFilters(
      this.active.filters,
      0,
      ctx,
      perRoute,
      () => this.act(ctx, route),
      (r) => this.reply(ctx, r),
    );
  }

  /** A held request resumes here, once (a second miss is a 404). */
  resumeHeld(ctx: RequestContext): void {
    ctx.onDemandTried = true;
    this.handle(ctx);
  }

  rejectHeld(ctx: RequestContext, why: string): void {
    this.reply(ctx, rescue(noRouteOnDemand(ctx.authority, ctx.path, why), ctx.grpc));
  }

  /** No route: with VHDS on demand and no virtual host for the authority, hold it; else 404 NR. */
  private noRoute(ctx: RequestContext): void {
    const onDemand = this.deps.onDemand;
    const rds = this.active.hcm.rdsRouteConfigName;
    if (onDemand !== null && rds !== null && !ctx.onDemandTried && selectVirtualHost(this.active.table, ctx.authority) === null) {
      if (onDemand.hold(ctx, this, rds)) return;
    }
    this.reply(ctx, rescue(noRoute(ctx.authority, ctx.path), ctx.grpc));
  }

  private act(ctx: RequestContext, route: CompiledRoute): void {
    const action = route.action;
    if (action.kind === 'direct_response') {
      const headers: Record<string, string | string[] | undefined> = {};
      applyHeaderOps(route.responseHeaderOps, headers);
      const list = Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string');
      return this.reply(ctx, localReply(action.status, action.body ?? '', null, null, list));
    }
    if (action.kind === 'redirect') {
      const location = redirectLocation(route, action, ctx);
      return this.reply(ctx, localReply(action.responseCode, '', null, null, [['location', location]]));
    }
    this.forward(ctx, route, action);
  }

  private forward(ctx: RequestContext, route: CompiledRoute, action: ForwardActionModel): void {
    const picked = pickCluster(route, this.deps.random);
    const cluster = picked === null ? undefined : this.deps.clusters.get(picked.name);
    if (picked === null || cluster === undefined) return this.reply(ctx, rescue(noCluster(picked?.name ?? '(none)'), ctx.grpc));
    // Peer metadata: sent outbound to mesh destinations (never over TLS to files' certificates: outside
    // the mesh); answered inbound to a caller that sent its own.
    const sendPeer = !ctx.inbound && cluster.model.tls?.source !== 'files';
    const headers = this.upstreamHeaders(ctx, route, picked, sendPeer ? this.deps.peer : null);
    const responsePeer = ctx.inbound && ctx.headers[PEER_HEADER] !== undefined ? this.deps.peer : null;
    const path = rewritePath(route, ctx.path);
    const hash = action.hashPolicy.length === 0 ? null : requestHash(action.hashPolicy, ctx);
    const idleTimeoutMs = idleTimeoutOf(action.idleTimeoutMs, this.active.hcm.streamIdleTimeoutMs);
    if (ctx.upgrade !== null) {
      const plan = { cluster, path, headers, hash, idleTimeoutMs, responseHeaderOps: picked.responseHeaderOps, responsePeer };
      return new UpgradeTunnel(ctx, ctx.upgrade, plan, this.deps.onDone).start();
    }
    const h2End = ctx.protocol === 'HTTP/2' ? ((ctx.req as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders ?? false) : null;
    const body = hasBody(ctx.headers, h2End) ? new RequestBody(ctx.req, RETRY_BUFFER_LIMIT, ctx) : null;
    const retry = action.retryPolicy ?? route.virtualHost.model.retryPolicy;
    if (action.mirrors.length > 0) mirrorRequest(action.mirrors, this.deps.clusters, ctx.method, path, headers, ctx.authority, body, this.deps.random);
    new ForwardRequest(
      ctx,
      {
        cluster,
        path,
        headers,
        body,
        hash,
        timeoutMs: action.timeoutMs,
        idleTimeoutMs,
        retry,
        retryOn: retry === null ? null : deciderFor(retry),
        responseHeaderOps: picked.responseHeaderOps,
        responsePeer,
      },
      this.deps.onDone,
      this.deps.random,
    ).start();
  }

  /**
   * The upstream request head, for requests and upgrades alike: end-to-end headers with the (rewritten)
   * host, request id and trace headers, x-forwarded-proto and the route's header mutations; an
   * upgrade keeps its `connection: upgrade` / `upgrade` pair.
   */
  private upstreamHeaders(ctx: RequestContext, route: CompiledRoute, picked: CompiledCluster, peer: string | null): string[] {
    const headers = upstreamRequestHeaders(ctx.req.rawHeaders, route.hostRewrite ?? ctx.authority);
    const ids = ensureTraceHeaders(ctx.headers, headers, this.active.hcm.generateRequestId, peer);
    ctx.requestId = ids.requestId;
    ctx.traceId = ids.traceId;
    setHeader(headers, 'x-forwarded-proto', ctx.scheme);
    applyHeaderOpsToList(picked.requestHeaderOps, headers);
    if (ctx.upgrade !== null) headers.push('connection', 'upgrade', 'upgrade', String(ctx.headers.upgrade));
    return headers;
  }

  private reply(ctx: RequestContext, r: LocalReply): void {
    sendLocalReply(ctx, r);
    ctx.req.resume();
    this.deps.onDone(ctx);
  }
}
