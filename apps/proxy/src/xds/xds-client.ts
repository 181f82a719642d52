import type { Logger } from '@weft/shared';
import { TYPE_SHORT_NAME, type TypeUrl, type XdsNode } from '@weft/xds';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import type { XdsChannelSecurity } from '../tls/xds-channel-credentials';
import { AdsConnection, type AdsStreamHandler } from './ads-connection';
import type { AdsProtocol, AdsUpdate } from './ads-protocol';
import { ConfigPublisher, type XdsSink } from './config-publisher';
import { DeltaProtocol } from './delta-protocol';
import { kindOfUrl, urlOf } from './resource-decoder';
import { ResourceStore, XDS_KINDS } from './resource-store';
import { SnapshotAssembler, type SnapshotBase } from './snapshot-assembler';
import { SotwProtocol } from './sotw-protocol';
import { planInterests, sameInterest, type Interests, type StaticResources } from './subscription-planner';
import { applyUpdate } from './update-applier';
import { CacheWriter, cacheFileOfStore, readCache } from './xds-cache';
import type { XdsKind } from './xds-resource';
import { VhdsOnDemand, type StageLookup } from './vhds-on-demand';

/** Envoy's default initial_fetch_timeout: serve what is warm if the server never completes the first config. */
const INITIAL_FETCH_TIMEOUT_MS = 15_000;

export interface XdsClientOptions {
  /** host:port of the ADS server, or several (replicas). */
  readonly address: string;
  /** --xds-tls: mutual TLS with the proxy's SVID (null or absent: plaintext). */
  readonly security?: XdsChannelSecurity | null;
  readonly protocol: 'delta' | 'sotw';
  readonly node: XdsNode;
  /** The on-disk cache of the last ACKed resources, or null for none. */
  readonly cacheFile: string | null;
  readonly onDemandTimeoutMs: number;
  readonly statics: StaticResources;
  readonly base: SnapshotBase;
  readonly sink: XdsSink & StageLookup;
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly initialFetchTimeoutMs?: number;
}

/**
 * The proxy's xDS client: one ADS stream (delta by default, SotW on request) to pilot. Subscriptions
 * follow references (listeners → route configurations → virtual hosts → clusters → endpoints, plus
 * virtual hosts asked for on demand); every response is ACKed or, when a resource is invalid, NACKed
 * with the resource and field path while its last good version is kept; complete, warm snapshots go
 * to the proxy; the ACKed resources are cached on disk so a restart serves before the server answers.
 */
export class XdsClient implements AdsStreamHandler {
  readonly store = new ResourceStore();
  readonly onDemand: VhdsOnDemand;
  private readonly protocol: AdsProtocol;
  private readonly connection: AdsConnection;
  private readonly assembler: SnapshotAssembler;
  private readonly publisher: ConfigPublisher;
  private readonly cache: CacheWriter | null;
  private readonly onDemandNames = new Set<string>();
  private readonly answeredTypes = new Set<XdsKind>();
  private readonly removedNames = new Set<string>();
  private readonly lastNack = new Map<XdsKind, { message: string; at: string }>();
  private desired: Interests;
  /** What the current stream has been asked for (null: no stream). */
  private sent: Interests | null = null;
  private gateOpen = false;
  private initialTimer: NodeJS.Timeout | null = null;
  private readonly firstApplied: Promise<void>;
  private resolveFirst: () => void = () => undefined;

  constructor(private readonly options: XdsClientOptions) {
    this.protocol = options.protocol === 'sotw' ? new SotwProtocol() : new DeltaProtocol();
    this.assembler = new SnapshotAssembler(this.store, options.statics, options.base);
    this.publisher = new ConfigPublisher(this.assembler, options.sink, () => this.initialComplete(), () => this.applied(), options.metrics, options.log);
    this.connection = new AdsConnection(
      {
        address: options.address,
        method: this.protocol.method,
        node: options.node,
        log: options.log,
        backoffBaseMs: options.backoff?.baseMs,
        backoffMaxMs: options.backoff?.maxMs,
        security: options.security ?? null,
      },
      this,
    );
    this.onDemand = new VhdsOnDemand(this, options.sink, options.onDemandTimeoutMs, options.log);
    this.cache = options.cacheFile === null ? null : new CacheWriter(options.cacheFile, () => cacheFileOfStore(this.store, options.node.id ?? '', this.onDemandNames), options.log);
    this.desired = this.plan();
    this.firstApplied = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  /** Resolves when the first snapshot (from the cache or the server) has been applied. */
  get ready(): Promise<void> {
    return this.firstApplied;
  }

  /** Restores the cache (applied at once when present), then connects. Returns whether the cache was used. */
  start(): boolean {
    const restored = this.restoreCache();
    this.replan();
    if (restored) this.gateOpen = true;
    this.publisher.schedule();
    this.connection.start();
    this.initialTimer = setTimeout(() => this.openGate('initial fetch timeout'), this.options.initialFetchTimeoutMs ?? INITIAL_FETCH_TIMEOUT_MS);
    this.initialTimer.unref();
    return restored;
  }

  async stop(): Promise<void> {
    if (this.initialTimer !== null) clearTimeout(this.initialTimer);
    this.connection.stop();
    this.onDemand.close();
    this.options.metrics.xdsConnected.set(0);
    await this.publisher.idle();
    await this.cache?.flush();
  }

  // ---- AdsStreamHandler ----

  onOpen(): void {
    this.desired = this.plan();
    for (const request of this.protocol.open(this.desired, (k) => this.store.versions(k))) this.connection.send(request);
    this.sent = this.desired;
  }

  onMessage(message: unknown): void {
    this.options.metrics.xdsConnected.set(1);
    this.handle(this.protocol.parse(message, (k) => this.store.versions(k)));
  }

  onClosed(): void {
    this.options.metrics.xdsConnected.set(0);
    this.sent = null;
  }

  // ---- OnDemandSource ----

  onDemandCapable(routeConfig: string): boolean {
    return this.protocol.name === 'delta' && this.store.get('routeConfiguration', routeConfig)?.model.vhds === true;
  }

  requestVirtualHost(name: string): void {
    if (this.onDemandNames.has(name)) return;
    this.onDemandNames.add(name);
    this.replan();
  }

  forgetVirtualHost(name: string): void {
    if (this.store.get('virtualHost', name) !== undefined || !this.onDemandNames.delete(name)) return;
    this.replan();
  }

  // ---- responses ----

  private handle(update: AdsUpdate): void {
    const kind = kindOfUrl(update.typeUrl);
    if (kind === undefined) {
      this.connection.send(this.protocol.nack(update, `type ${update.typeUrl} is not supported by weft-proxy`));
      return;
    }
    const outcome = applyUpdate(this.store, kind, update, (this.sent ?? this.desired)[kind], this.options.statics);
    const labels = { type: TYPE_SHORT_NAME[update.typeUrl as TypeUrl] };
    if (outcome.errors.length === 0) {
      this.connection.send(this.protocol.ack(update));
      this.options.metrics.xdsUpdates.inc(labels);
    } else {
      const message = outcome.errors.join('\n');
      this.connection.send(this.protocol.nack(update, message));
      this.options.metrics.xdsNacks.inc(labels);
      this.lastNack.set(kind, { message, at: new Date().toISOString() });
      this.options.log.warn({ type: labels.type, nonce: update.nonce, error: message }, 'xds update rejected (NACK); keeping the last good resources');
    }
    this.answered(kind, outcome.arrived, outcome.removed);
    if (!outcome.changed) {
      // An empty answer (a wildcard with nothing for us yet) can still complete the first config.
      if (!this.gateOpen) this.publisher.schedule();
      return;
    }
    if (kind !== 'clusterLoadAssignment') this.replan();
    this.publisher.schedule();
    this.cache?.schedule();
  }

  private answered(kind: XdsKind, arrived: readonly string[], removed: readonly string[]): void {
    this.answeredTypes.add(kind);
    for (const name of removed) {
      // Remembered only for the first config's completeness (bounded: on-demand names come later).
      if (!this.gateOpen) this.removedNames.add(`${kind}\n${name}`);
      if (kind === 'virtualHost' && this.onDemandNames.delete(name)) {
        this.onDemand.notFound(name);
        this.replan();
      }
    }
    for (const name of arrived) this.removedNames.delete(`${kind}\n${name}`);
  }

  // ---- subscriptions ----

  private plan(): Interests {
    return planInterests({
      store: this.store,
      statics: this.options.statics,
      applied: { snapshot: this.assembler.current, edsNames: this.assembler.currentEdsNames },
      onDemand: this.onDemandNames,
      delta: this.protocol.name === 'delta',
    });
  }

  /** Recomputes the interests; sends what changed on the open stream; forgets what is no longer wanted. */
  private replan(): void {
    const next = this.plan();
    let pruned = false;
    for (const kind of XDS_KINDS) {
      if (this.sent !== null && !sameInterest(this.sent[kind], next[kind])) {
        const request = this.protocol.change(kind, this.sent[kind], next[kind]);
        if (request !== null) this.connection.send(request);
      }
      if (next[kind].wildcard) continue;
      for (const name of [...this.store.names(kind)]) if (!next[kind].names.has(name)) pruned = this.store.delete(kind, name) || pruned;
    }
    this.desired = next;
    if (this.sent !== null) this.sent = next;
    if (pruned) {
      this.publisher.schedule();
      this.cache?.schedule();
    }
  }

  // ---- readiness ----

  /**
   * At least one listener, every wildcard type answered once (an empty answer counts: nothing for us
   * yet) and every subscribed name answered (with the resource or as removed); virtual hosts asked for
   * on demand excepted (their requests wait for them anyway).
   */
  private initialComplete(): boolean {
    if (this.gateOpen) return true;
    // A sidecar without a single listener serves nothing: an empty LDS answer is not a config yet.
    if (this.options.statics.listeners.length === 0 && this.store.names('listener').next().done === true) return false;
    for (const kind of XDS_KINDS) {
      const interest = this.desired[kind];
      if (interest.wildcard && !this.answeredTypes.has(kind)) return false;
      if (kind === 'virtualHost') continue;
      for (const name of interest.names) if (this.store.get(kind, name) === undefined && !this.removedNames.has(`${kind}\n${name}`)) return false;
    }
    return true;
  }

  private openGate(why: string): void {
    if (this.gateOpen) return;
    this.gateOpen = true;
    if (!this.publisher.warm) this.options.log.warn({ why }, 'xds: serving what is warm before the first config is complete');
    this.publisher.schedule();
  }

  private applied(): void {
    this.gateOpen = true;
    this.removedNames.clear();
    if (this.initialTimer !== null) clearTimeout(this.initialTimer);
    this.resolveFirst();
    this.onDemand.onApplied();
    this.replan();
  }

  private restoreCache(): boolean {
    if (this.options.cacheFile === null) return false;
    const content = readCache(this.options.cacheFile, this.options.log);
    if (content === null) return false;
    for (const [kind, entries] of content.held) for (const h of entries) this.store.set(kind, h as never);
    for (const name of content.onDemand) this.onDemandNames.add(name);
    this.options.log.info({ file: this.options.cacheFile, savedAt: content.savedAt, listeners: this.store.size('listener'), clusters: this.store.size('cluster') }, 'xds cache restored');
    return true;
  }

  /** The xDS part of /config_dump: server, subscriptions, resources with versions, last NACK per type. */
  dump(): unknown {
    const types: Record<string, unknown> = {};
    for (const kind of XDS_KINDS) {
      const i = this.desired[kind];
      types[TYPE_SHORT_NAME[urlOf(kind) as TypeUrl]] = {
        subscribed: i.wildcard ? ['*', ...i.names] : [...i.names],
        resources: this.store.versions(kind),
        lastNack: this.lastNack.get(kind) ?? null,
      };
    }
    const { address, protocol } = this.options;
    const tls = this.options.security ?? null;
    return { server: address, protocol, tls: tls === null ? null : { serverIdentity: tls.expectedServerId }, connected: this.connection.connected, warm: this.publisher.warm, onDemandWaiting: this.onDemand.waitingNames, types };
  }
}
