import {
  CircuitBreaker,
  ConsecutiveErrorsDetector,
  PeakEwma,
  createBalancer,
  effectiveWeights,
  levelForDraw,
  priorityLoad,
  retryBudgetAllows,
  type ClusterModel,
  type CircuitResource,
  type EndpointModel,
  type LoadBalancer,
  type OutlierDetectionModel,
} from '@weft/proxy-core';
import { connect as netConnect, type Socket } from 'node:net';
import type { Logger } from '@weft/shared';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import { upstreamTlsConnector } from '../tls/upstream-connector';
import type { WorkloadIdentity } from '../tls/workload-identity';
import { DnsDiscovery, type ResolvedEndpoint } from './dns-discovery';
import type { DnsDeps } from './dns-lookup';
import { Host, type HostPoolOptions } from './host';
import { outlierResultOf, type UpstreamOutcome } from './outcome';

const now = (): number => performance.now();

/**
 * A cluster: its hosts and their pools, the load balancer over the available ones, circuit
 * breakers, retry budget and outlier detection. Host objects (and their pools, stats, ejections)
 * survive config updates that keep the same endpoint. A DNS cluster (STRICT_DNS / LOGICAL_DNS) has
 * no host until its first answer; each re-resolution that changes addresses goes through the same
 * host update as a config (EDS) update.
 */
export class Cluster {
  model: ClusterModel;
  hosts: Host[] = [];
  /** One balancer per priority level, lowest (preferred) first. */
  private levels: readonly LoadBalancer<Host>[];
  /** Percent of the traffic each level takes (Envoy's priority load), from its available hosts. */
  private levelLoad: readonly number[] = [100];
  readonly breaker: CircuitBreaker;
  private outlier: ConsecutiveErrorsDetector<Host> | null = null;
  private outlierTimer: NodeJS.Timeout | null = null;
  /** STRICT_DNS / LOGICAL_DNS: resolves the endpoint hostnames; null for STATIC and EDS clusters. */
  private dns: DnsDiscovery | null = null;
  private readonly labels: { cluster_name: string };
  retriesActive = 0;

  constructor(
    model: ClusterModel,
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
    private readonly identity: WorkloadIdentity | null = null,
    private readonly dnsDeps: DnsDeps | null = null,
  ) {
    this.model = model;
    this.labels = { cluster_name: model.name };
    this.breaker = new CircuitBreaker(model.circuitBreakers, model.retryBudget);
    this.levels = this.update(model);
  }

  get name(): string {
    return this.model.name;
  }

  /**
   * A raw connection to one of the cluster's hosts for a protocol upgrade (WebSocket): with the
   * cluster's transport socket — mesh mTLS or TLS from files, verified as for requests, never
   * plaintext in their place — else plain TCP. `done` gets the connected socket or the failure.
   */
  connectRaw(host: Host, done: (err: Error | null, socket: Socket | null) => void): void {
    const timeoutMs = this.model.connectTimeoutMs;
    if (this.model.tls !== null) {
      const connector = upstreamTlsConnector(this.identity, this.model.tls, ['http/1.1'], timeoutMs);
      connector({ hostname: host.address, host: host.address, port: String(host.port), protocol: 'https:', servername: null } as never, (err, socket) => done(err, socket as Socket | null));
      return;
    }
    const socket = netConnect({ host: host.address, port: host.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(Object.assign(new Error('upstream connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      done(err, null);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', fail);
      done(null, socket);
    });
  }

  /** Applies a new model (config or EDS update). */
  update(model: ClusterModel): readonly LoadBalancer<Host>[] {
    return this.setHosts(model, this.discover(model));
  }

  /** Every DNS hostname of the cluster has had its first lookup (always true for STATIC and EDS). */
  get warm(): boolean {
    return this.dns === null || this.dns.warm;
  }

  /** The endpoints to build hosts from: the model's, or for a DNS cluster their resolved addresses. */
  private discover(model: ClusterModel): readonly (EndpointModel | ResolvedEndpoint)[] {
    if (model.dns === null) {
      this.dns?.stop();
      this.dns = null;
      return model.endpoints;
    }
    if (this.dnsDeps === null) throw new Error(`cluster ${model.name}: DNS clusters need a resolver`);
    this.dns ??= new DnsDiscovery(model.name, this.dnsDeps, this.log, () => this.onResolved(), (outcome) => this.metrics.dnsLookups.inc({ cluster_name: this.name, outcome }));
    this.dns.configure(model);
    return this.dns.endpoints(model);
  }

  /** A DNS answer changed addresses: hosts are updated as for a new config with those endpoints. */
  private onResolved(): void {
    if (this.dns !== null) this.levels = this.setHosts(this.model, this.dns.endpoints(this.model));
  }

  /** Keeps hosts whose endpoint and pool settings are unchanged; new ones get a pool, gone ones close. */
  private setHosts(model: ClusterModel, endpoints: readonly (EndpointModel | ResolvedEndpoint)[]): readonly LoadBalancer<Host>[] {
    const poolOptions = poolOptionsOf(model);
    const samePool = this.hosts.length > 0 && JSON.stringify(poolOptionsOf(this.model)) === JSON.stringify(poolOptions);
    const old = new Map(this.hosts.map((h) => [h.id, h]));
    const next: Host[] = [];
    const weights = effectiveWeights(endpoints, model.localityWeighted);
    for (const [i, ep] of endpoints.entries()) {
      const id = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
      const prev = old.get(id);
      if (prev !== undefined && samePool && prev.weight === weights[i] && prev.priority === ep.priority) {
        prev.health = ep.health;
        prev.refresh();
        next.push(prev);
        old.delete(id);
      } else {
        next.push(new Host(ep, poolOptions, new PeakEwma(now()), weights[i], this.identity, 'hostname' in ep ? ep.hostname : ''));
      }
    }
    for (const gone of old.values()) void gone.close();
    const previousOutlier = this.model.outlierDetection;
    this.model = model;
    this.hosts = next;
    this.breaker.setThresholds(model.circuitBreakers, model.retryBudget);
    this.setupOutlier(model, previousOutlier);
    this.levels = this.rebuild();
    return this.levels;
  }

  /**
   * Keeps the detector (counters, ejections and their timers) when the outlier settings did not
   * change; otherwise starts a new one and returns every ejected host to service, as Envoy does when
   * it rebuilds a changed cluster. A host must never stay ejected with no detector to un-eject it.
   */
  private setupOutlier(model: ClusterModel, previous: OutlierDetectionModel | null): void {
    const od = model.outlierDetection;
    if (this.outlier !== null && od !== null && JSON.stringify(od) === JSON.stringify(previous)) {
      this.outlier.setHosts(this.hosts);
      return;
    }
    if (this.outlierTimer !== null) clearInterval(this.outlierTimer);
    this.outlierTimer = null;
    for (const h of this.hosts) if (h.ejected) this.setEjected(h, false, 'outlier detection settings changed');
    if (od === null) {
      this.outlier = null;
      return;
    }
    this.outlier = new ConsecutiveErrorsDetector<Host>(od, {
      clock: now,
      random: this.random,
      listener: {
        onEject: (host, reason, ms) => this.setEjected(host, true, `${reason} for ${Math.round(ms)} ms`),
        onUneject: (host) => this.setEjected(host, false, 'ejection time passed'),
      },
    });
    this.outlier.setHosts(this.hosts);
    this.outlierTimer = setInterval(() => this.outlier?.tick(now()), od.intervalMs);
    this.outlierTimer.unref();
  }

  private setEjected(host: Host, ejected: boolean, why: string): void {
    host.ejected = ejected;
    host.refresh();
    if (ejected) this.metrics.ejections.inc(this.labels);
    this.metrics.ejected.set(this.labels, this.hosts.filter((h) => h.ejected).length);
    this.log.info({ cluster: this.name, host: host.id, ejected, why }, ejected ? 'host ejected' : 'host returned');
    this.levels = this.rebuild();
  }

  /**
   * Balancers per priority level (EDS priorities) and the share of traffic each takes, built when
   * hosts, their weights or their availability (health, ejection) change.
   */
  private rebuild(): readonly LoadBalancer<Host>[] {
    const byPriority = new Map<number, Host[]>();
    for (const h of this.hosts) {
      const level = byPriority.get(h.priority);
      if (level === undefined) byPriority.set(h.priority, [h]);
      else level.push(h);
    }
    const levels = [...byPriority.keys()].sort((a, b) => a - b).map((p) => byPriority.get(p) ?? []);
    this.levelLoad = priorityLoad(levels.map((hs) => ({ available: hs.filter((h) => h.available).length, total: hs.length })));
    return levels.map((hs) => createBalancer<Host>(this.model.lbPolicy, this.model, hs, this.random, now));
  }

  /**
   * A host for one attempt, or null when none is available. With several priority levels the level
   * is drawn by Envoy's priority load (traffic spills over to the next level gradually as a level
   * loses available hosts, overprovisioning factor 1.4) — by the request hash when there is one, so a
   * key keeps its level; a level that cannot give a host falls back to the others, lowest first.
   */
  pick(hash: number | null, exclude: ReadonlySet<Host> | null): Host | null {
    const levels = this.levels;
    const ctx = { hash, exclude };
    if (levels.length === 1) return levels[0].pick(ctx);
    if (levels.length === 0) return null;
    const first = levelForDraw(this.levelLoad, hash === null ? this.random() * 100 : Math.abs(hash) % 100);
    const h = levels[first].pick(ctx);
    if (h !== null) return h;
    for (let i = 0; i < levels.length; i++) {
      const other = i === first ? null : levels[i].pick(ctx);
      if (other !== null) return other;
    }
    return null;
  }

  /** Records the end of one attempt: outlier detection, EWMA latency, host stats. */
  onOutcome(host: Host, outcome: UpstreamOutcome, latencyMs: number): void {
    const result = outlierResultOf(outcome);
    if (result === 'success') host.rqSuccess++;
    else host.rqError++;
    host.ewma.observe(latencyMs, now());
    this.outlier?.onResult(host, result);
    const cls = outcome.kind === 'response' ? `${Math.floor(outcome.status / 100)}xx` : 'reset';
    this.metrics.upstreamRq.inc({ cluster_name: this.name, response_code_class: cls });
  }

  retryAllowed(): boolean {
    const budget = this.model.retryBudget;
    if (budget === null) return this.breaker.remaining('retries') > 0;
    return retryBudgetAllows(budget, this.breaker.count('requests'), this.breaker.count('pending'), this.breaker.count('retries'));
  }

  countOverflow(resource: string): void {
    this.metrics.overflows.inc({ cluster_name: this.name, resource });
  }

  countRetry(): void {
    this.metrics.retries.inc(this.labels);
  }

  acquire(resource: CircuitResource): boolean {
    return this.breaker.tryAcquire(resource);
  }

  /** Stops background work and closes pools once their in-flight requests finish. */
  async close(): Promise<void> {
    this.dns?.stop();
    if (this.outlierTimer !== null) clearInterval(this.outlierTimer);
    await Promise.all(this.hosts.map((h) => h.close()));
  }

  destroy(): void {
    this.dns?.stop();
    if (this.outlierTimer !== null) clearInterval(this.outlierTimer);
    for (const h of this.hosts) h.destroy();
  }
}

function poolOptionsOf(m: ClusterModel): HostPoolOptions {
  return {
    protocol: m.protocol,
    connectTimeoutMs: m.connectTimeoutMs,
    maxConnections: m.circuitBreakers.maxConnections,
    idleTimeoutMs: m.idleTimeoutMs,
    maxRequestsPerConnection: m.maxRequestsPerConnection,
    tls: m.tls,
  };
}
