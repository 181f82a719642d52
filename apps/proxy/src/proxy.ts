import { compileRouteConfig, type ConfigSnapshot, type ListenerModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import { AdminServer, type AdminTarget } from './admin/admin-server';
import { buildFilterChain } from './filters/filter-chain';
import { HttpListener } from './listener/http-listener';
import type { RequestContext } from './listener/request-context';
import { TcpProxyListener } from './listener/tcp-proxy';
import { AccessLog } from './observability/access-log';
import { PEER_HEADER, trustedPeer } from './observability/peer-metadata';
import { ProxyMetrics } from './observability/proxy-metrics';
import type { TelemetryOptions, TelemetryReporter } from './observability/telemetry/telemetry-reporter';
import { configureTracing } from './router/trace-headers';
import { RouteStage, type ActiveHttpConfig, type OnDemandHook, type RouteDeps } from './router/route-stage';
import { ClusterManager } from './upstream/cluster-manager';
import type { WorkloadIdentity } from './tls/workload-identity';

export interface ProxyOptions {
  readonly logger: Logger;
  /** Parses and validates a bootstrap text into a snapshot (admin POST /config, SIGHUP). */
  readonly parseConfig: (yaml: string) => ConfigSnapshot;
  readonly accessLog: 'stdout' | 'off' | string;
  /** This workload's name (`<service>-<version label>`, or the service): metrics, peer metadata. */
  readonly workload: string;
  /** The local service (--service; default: the workload): inbound metrics' destination service. */
  readonly service?: string;
  readonly namespace: string;
  readonly drainTimeoutMs: number;
  /** Admin port override (null: the bootstrap's, else none). */
  readonly adminPort: number | null;
  /** The workload identity (SVID + trust bundle) for mTLS listeners and clusters; none: plaintext only. */
  readonly identity?: WorkloadIdentity | null;
  /** Reporting to telemetry over NATS (--nats); null or absent: off. */
  readonly telemetry?: TelemetrySetup | null;
}

/**
 * The reporter class comes with its options: main.ts imports it (NATS client, histograms) only when
 * --nats is set, so a proxy without telemetry never loads that code.
 */
export interface TelemetrySetup {
  readonly options: TelemetryOptions;
  readonly Reporter: typeof TelemetryReporter;
}

type AnyListener = HttpListener | TcpProxyListener;
interface BoundListener {
  readonly listener: AnyListener;
  readonly port: number;
}

/**
 * The composition root of weft-proxy: listeners, route stages, clusters, admin, metrics, access log.
 * A config snapshot is compiled completely before anything changes, then swapped in: requests in
 * flight finish on the stage they started with; removed or moved listeners drain.
 */
export class Proxy implements AdminTarget {
  readonly metrics: ProxyMetrics;
  private readonly accessLog: AccessLog;
  private readonly clusters: ClusterManager;
  private readonly listeners = new Map<string, AnyListener>();
  /** The current route stage of each HTTP listener (held on-demand requests resume on it). */
  private readonly stages = new Map<string, RouteStage>();
  private snapshot: ConfigSnapshot | null = null;
  private admin: AdminServer | null = null;
  private xdsDump: (() => unknown) | null = null;
  private adminPort = 0;
  private draining = false;
  readonly ports = new Map<string, number>();
  readonly deps: RouteDeps;
  readonly logger: Logger;
  private readonly identity: WorkloadIdentity | null;
  readonly telemetry: TelemetryReporter | null;

  constructor(private readonly options: ProxyOptions) {
    this.logger = options.logger;
    this.metrics = new ProxyMetrics(options.workload, options.namespace, options.service ?? options.workload);
    this.accessLog = new AccessLog(options.accessLog);
    this.identity = options.identity ?? null;
    const identity = this.identity;
    if (identity !== null) this.metrics.ownPrincipal = () => identity.spiffeId;
    this.clusters = new ClusterManager(this.metrics, options.logger.child({ component: 'cluster-manager' }), this.identity);
    this.telemetry = this.startTelemetry(options.telemetry ?? null);
    const peer = `${options.workload}.${options.namespace}`;
    this.deps = { clusters: this.clusters, random: Math.random, onDone: (ctx) => this.onRequestDone(ctx), onDemand: null, peer };
  }

  private startTelemetry(setup: TelemetrySetup | null): TelemetryReporter | null {
    if (setup === null) return null;
    const o = setup.options;
    const identity = this.identity;
    const reporter = new setup.Reporter(o, this.metrics.registry, this.logger.child({ component: 'telemetry' }), () => identity?.spiffeId ?? null);
    configureTracing({ samplingPercent: o.traceSamplingPercent });
    return reporter;
  }

  /** Wires the xDS client in: VHDS on demand for RDS listeners, and its state in /config_dump. */
  attachXds(onDemand: OnDemandHook | null, dump: () => unknown): void {
    this.deps.onDemand = onDemand;
    this.xdsDump = dump;
  }

  /** The current route stage of an HTTP listener, or null. */
  stageFor(listener: string): RouteStage | null {
    return this.stages.get(listener) ?? null;
  }

  /** Warm config (DNS clusters of the first one resolved once) and, with a workload identity, its certificate. */
  get ready(): boolean {
    return this.snapshot !== null && !this.draining && this.clusters.initialized && (this.identity === null || this.identity.ready);
  }

  get configVersion(): string {
    return this.snapshot?.version ?? '';
  }

  get adminListeningPort(): number {
    return this.adminPort;
  }

  /**
   * Validates, compiles and swaps in a snapshot; throws, changing nothing, when it does not compile or
   * a new listener cannot bind. Order: clusters of both configs are present while listeners switch
   * (a request on an old stage still finds its cluster), then clusters the new config dropped go.
   */
  async apply(snapshot: ConfigSnapshot): Promise<void> {
    if (this.draining) throw new Error('the proxy is draining: no new configuration is applied');
    checkTls(snapshot);
    const previous = this.snapshot;
    if (previous !== null && sameListenerObjects(previous.listeners, snapshot.listeners)) return this.applyClusters(snapshot);
    const stages = this.compile(snapshot);
    this.clusters.apply(previous === null ? snapshot.clusters : new Map([...previous.clusters, ...snapshot.clusters]));
    let fresh: Map<string, BoundListener>;
    try {
      fresh = await this.bindNewListeners(snapshot, stages);
    } catch (err) {
      this.clusters.apply(previous?.clusters ?? new Map());
      throw err;
    }
    for (const model of snapshot.listeners) this.swapListener(model, stages.get(model.name) ?? null, fresh.get(model.name) ?? null);
    for (const [name, l] of this.listeners) {
      if (snapshot.listeners.some((m) => m.name === name)) continue;
      this.listeners.delete(name);
      this.stages.delete(name);
      this.ports.delete(name);
      void this.drainListener(l);
    }
    this.clusters.apply(snapshot.clusters);
    const first = this.snapshot === null;
    this.snapshot = snapshot;
    this.metrics.configSwaps.inc();
    if (first) await this.openAdmin();
    this.logger.info({ version: snapshot.version, listeners: [...this.ports] }, 'config applied');
  }

  /**
   * Only clusters changed (the listener models are the very same objects, as the xDS assembler keeps
   * them for an EDS or CDS-only update): update the clusters in place, recompile nothing.
   */
  private applyClusters(snapshot: ConfigSnapshot): void {
    this.clusters.apply(snapshot.clusters);
    this.snapshot = snapshot;
    this.metrics.configSwaps.inc();
    this.logger.debug({ version: snapshot.version }, 'clusters updated');
  }
  private compile(snapshot: ConfigSnapshot): Map<string, RouteStage> {
    const stages = new Map<string, RouteStage>();
    for (const l of snapshot.listeners) {
      if (l.http === null) continue;
      if (l.http.routeConfig === null) throw new Error(`listener ${l.name}: RDS is not available without xDS`);
      const active: ActiveHttpConfig = {
        version: snapshot.version,
        listener: l.name,
        hcm: l.http,
        table: compileRouteConfig(l.http.routeConfig),
        filters: buildFilterChain(l.http.httpFilters, { registry: this.metrics.registry, logger: this.logger.child({ component: 'rbac' }), hcm: l.http }),
      };
      stages.set(l.name, new RouteStage(active, this.deps));
    }
    return stages;
  }

  /** Whether the running listener of that name can take the model in place (same socket and kind). */
  private reusable(model: ListenerModel): boolean {
    const cur = this.listeners.get(model.name);
    if (cur === undefined) return false;
    return cur.model.address === model.address && cur.model.port === model.port && (cur instanceof HttpListener) === (model.http !== null);
  }

  /** Binds every listener that needs a new socket; on a failure closes those already bound and throws. */
  private async bindNewListeners(snapshot: ConfigSnapshot, stages: Map<string, RouteStage>): Promise<Map<string, BoundListener>> {
    const bound = new Map<string, BoundListener>();
    try {
      for (const model of snapshot.listeners) {
        if (this.reusable(model)) continue;
        const stage = stages.get(model.name) ?? null;
        const log = this.logger.child({ component: 'listener', listener: model.name });
        const l: AnyListener = stage !== null ? new HttpListener(model, stage, log, this.identity) : new TcpProxyListener(model, this.clusters, this.metrics, log, this.telemetry);
        const port = await l.listen().catch((err: Error) => {
          throw new Error(`listener ${model.name}: ${err.message}`, { cause: err });
        });
        bound.set(model.name, { listener: l, port });
      }
    } catch (err) {
      for (const b of bound.values()) b.listener.server.close();
      throw err;
    }
    return bound;
  }

  private swapListener(model: ListenerModel, stage: RouteStage | null, fresh: BoundListener | null): void {
    if (stage !== null) this.stages.set(model.name, stage);
    else this.stages.delete(model.name);
    const cur = this.listeners.get(model.name);
    if (fresh === null) {
      if (cur instanceof HttpListener && stage !== null) {
        cur.setHandler(stage);
        cur.setTls(model.tls);
      }
      else if (cur instanceof TcpProxyListener) cur.update(model);
      return;
    }
    if (cur !== undefined) void this.drainListener(cur);
    this.listeners.set(model.name, fresh.listener);
    this.ports.set(model.name, fresh.port);
  }

  private async drainListener(l: AnyListener): Promise<void> {
    const timeout = new Promise<void>((r) => setTimeout(r, this.options.drainTimeoutMs).unref());
    await Promise.race([l instanceof HttpListener ? l.drain() : l.stopAccepting(), timeout]);
    l.destroyAll();
  }

  /**
   * Starts the admin listener (--admin-port, else the bootstrap's admin; none without either). Called
   * with the first config, or earlier by the xDS mode so /ready and /config_dump answer while warming.
   */
  async openAdmin(admin: ConfigSnapshot['admin'] = this.snapshot?.admin ?? null): Promise<void> {
    if (this.admin !== null) return;
    const port = this.options.adminPort ?? admin?.port ?? null;
    if (port === null) return;
    this.admin = new AdminServer(this);
    this.adminPort = await this.admin.listen(port, '127.0.0.1');
  }

  private onRequestDone(ctx: RequestContext): void {
    if (ctx.done) return;
    ctx.done = true;
    const durationMs = performance.now() - ctx.startMs;
    const status = ctx.status === 0 && ctx.flags.includes('DC') ? 0 : ctx.status;
    const clusterTls = ctx.inbound || ctx.upstreamCluster === null || this.identity === null ? null : (this.clusters.get(ctx.upstreamCluster)?.model.tls ?? null);
    const upstreamTls = clusterTls?.source === 'mesh' ? clusterTls : null; // SIMPLE/MUTUAL to files' certificates is not mesh mTLS
    const mtls = ctx.inbound ? ctx.peerPrincipal !== null : upstreamTls !== null;
    const peerPrincipal = ctx.inbound ? ctx.peerPrincipal : (upstreamTls?.subjectAltNames[0] ?? null);
    this.metrics.record({
      inbound: ctx.inbound,
      cluster: ctx.upstreamCluster ?? 'unknown',
      protocol: ctx.grpc ? 'grpc' : 'http',
      status,
      grpcStatus: ctx.grpcStatus,
      flags: ctx.flags,
      durationMs,
      requestBytes: ctx.bytesReceived,
      responseBytes: ctx.bytesSent,
      mtls,
      peerPrincipal,
      peer: trustedPeer(ctx.inbound ? ctx.headers[PEER_HEADER] : ctx.upstreamPeer, mtls ? peerPrincipal : null),
    });
    if (this.telemetry !== null) this.telemetry.onRequest(ctx, status, durationMs, mtls, peerPrincipal);
    this.accessLog.write({
      method: ctx.method,
      authority: ctx.authority,
      path: ctx.path,
      protocol: ctx.protocol,
      status,
      flags: ctx.flags === '' ? '-' : ctx.flags,
      durationMs: Math.round(durationMs * 1000) / 1000,
      upstreamHost: ctx.upstreamHost,
      upstreamCluster: ctx.upstreamCluster,
      bytesReceived: ctx.bytesReceived,
      bytesSent: ctx.bytesSent,
      requestId: ctx.requestId,
      traceId: ctx.traceId,
      downstreamAddress: ctx.downstreamAddress,
    });
  }

  // ---- AdminTarget ----

  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  configDump(): unknown {
    const snapshot = this.snapshot === null ? null : { ...this.snapshot, clusters: [...this.snapshot.clusters.values()] };
    return this.xdsDump === null ? { version: this.configVersion, snapshot } : { version: this.configVersion, xds: this.xdsDump(), snapshot };
  }

  clustersDump(): unknown {
    return [...this.clusters.all()].map((c) => ({
      name: c.name,
      lbPolicy: c.model.lbPolicy,
      hosts: c.hosts.map((h) => ({
        address: h.id,
        hostname: h.hostname,
        health: h.health,
        ejected: h.ejected,
        weight: h.weight,
        activeRequests: h.activeRequests,
        success: h.rqSuccess,
        error: h.rqError,
        locality: h.locality,
      })),
    }));
  }

  async applyConfig(yaml: string): Promise<string> {
    let snapshot: ConfigSnapshot;
    try {
      snapshot = this.options.parseConfig(yaml);
      await this.apply(snapshot);
    } catch (err) {
      this.metrics.configRejections.inc();
      this.logger.warn({ err: (err as Error).message }, 'config rejected; keeping the last good one');
      throw err;
    }
    return snapshot.version;
  }

  /** Stops accepting on every listener and waits (up to the drain timeout) for in-flight requests. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    await Promise.all([...this.listeners.values()].map((l) => this.drainListener(l)));
  }

  async close(): Promise<void> {
    await this.drain();
    await this.admin?.close();
    await this.clusters.close();
    this.accessLog.close();
    if (this.telemetry !== null) {
      await this.telemetry.close();
      configureTracing(null);
    }
  }
}

function sameListenerObjects(a: readonly ListenerModel[], b: readonly ListenerModel[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * TLS is terminated by HTTP listeners only. Without a workload identity (no --ca) TLS configs are
 * still accepted: PERMISSIVE listeners serve their plaintext chain, STRICT ones and mTLS clusters
 * refuse every connection (as a sidecar whose SDS secrets never arrive).
 */
function checkTls(snapshot: ConfigSnapshot): void {
  const tcpTls = snapshot.listeners.find((l) => l.tls !== null && l.tcp !== null);
  if (tcpTls !== undefined) throw new Error(`listener ${tcpTls.name}: TLS on a tcp_proxy listener is not supported by weft-proxy`);
}
