import type { AdminModel, ClusterModel, ConfigSnapshot, ListenerModel, RouteConfigModel, VirtualHostModel } from '@weft/proxy-core';
import { FrozenMap } from '../config';
import { ClusterAssembler } from './cluster-assembly';
import { virtualHostReady } from './cluster-refs';
import type { ResourceStore } from './resource-store';
import type { StaticResources } from './subscription-planner';
import type { Held, RouteConfigEntryModel } from './xds-resource';

export interface SnapshotBase {
  readonly admin: AdminModel | null;
  readonly node: { readonly id: string; readonly cluster: string };
}

/** One assembly: the snapshot, whether it differs from the last one, and what still warms. */
export interface Assembly {
  readonly snapshot: ConfigSnapshot;
  readonly changed: boolean;
  readonly edsNames: ReadonlySet<string>;
  readonly warming: { readonly listeners: readonly string[]; readonly clusters: readonly string[] };
  readonly problems: readonly string[];
  /** Virtual hosts included, by resource name (committed with the snapshot). */
  readonly vhosts: ReadonlyMap<string, VirtualHostModel>;
}

interface RouteMemo {
  readonly held: Held<RouteConfigEntryModel>;
  readonly vhosts: readonly VirtualHostModel[];
  readonly model: RouteConfigModel;
}

interface ListenerMemo {
  readonly source: ListenerModel;
  readonly routes: RouteConfigModel;
  readonly model: ListenerModel;
}

/**
 * Builds complete ConfigSnapshots from the store (Envoy's warming): clusters wait for their endpoints,
 * listeners for their route configuration; a route configuration with `vhds` gets the VHDS virtual
 * hosts named `<its name>/…` whose clusters are all ready (else the running version of that host,
 * else none: a host whose clusters are not ready is not served yet). Domains claimed by an earlier
 * host (inline hosts first, then by name) are dropped from later ones. What did not change keeps
 * its object identity, so the proxy recompiles only what did.
 */
export class SnapshotAssembler {
  private readonly clusters: ClusterAssembler;
  private routeMemo = new Map<string, RouteMemo>();
  private listenerMemo = new Map<string, ListenerMemo>();
  private readonly dedupeMemo = new WeakMap<VirtualHostModel, { key: string; model: VirtualHostModel }>();
  private committed: ConfigSnapshot | null = null;
  private committedVhosts: ReadonlyMap<string, VirtualHostModel> = new Map();
  private committedEds: ReadonlySet<string> = new Set();
  private seq = 0;

  constructor(
    private readonly store: ResourceStore,
    private readonly statics: StaticResources,
    private readonly base: SnapshotBase,
  ) {
    this.clusters = new ClusterAssembler(store, statics);
  }

  get current(): ConfigSnapshot | null {
    return this.committed;
  }

  /** EDS names of the running clusters (kept subscribed while they run). */
  get currentEdsNames(): ReadonlySet<string> {
    return this.committedEds;
  }

  assemble(): Assembly {
    const prev = this.committed;
    const c = this.clusters.assemble(prev?.clusters ?? null);
    const vhosts = new Map<string, VirtualHostModel>();
    const warmingListeners: string[] = [];
    const listeners: ListenerModel[] = [];
    const routeMemo = new Map<string, RouteMemo>();
    for (const l of this.listenerSources()) {
      const model = this.listener(l, c.clusters, vhosts, routeMemo);
      if (model !== null) listeners.push(model);
      else warmingListeners.push(l.name);
    }
    this.routeMemo = routeMemo;
    const changed = prev === null || !sameListeners(prev.listeners, listeners) || !sameClusters(prev.clusters, c.clusters);
    const snapshot = changed ? this.freeze(listeners, c.clusters) : prev;
    return { snapshot, changed, edsNames: c.edsNames, warming: { listeners: warmingListeners, clusters: c.warming }, problems: c.problems, vhosts };
  }

  /** The assembly was applied: it is what runs now (and what warming falls back to). */
  commit(a: Assembly): void {
    this.committed = a.snapshot;
    this.committedVhosts = a.vhosts;
    this.committedEds = a.edsNames;
  }

  private listenerSources(): ListenerModel[] {
    const statics = new Set(this.statics.listeners.map((l) => l.name));
    return [...this.statics.listeners, ...[...this.store.all('listener')].map((h) => h.model).filter((l) => !statics.has(l.name))];
  }

  private listener(l: ListenerModel, clusters: ReadonlyMap<string, ClusterModel>, vhosts: Map<string, VirtualHostModel>, memo: Map<string, RouteMemo>): ListenerModel | null {
    const http = l.http;
    if (http === null || http.rdsRouteConfigName === null) return l;
    const routes = this.routeConfig(http.rdsRouteConfigName, clusters, vhosts, memo);
    if (routes === null) return this.committed?.listeners.find((r) => r.name === l.name) ?? null;
    const last = this.listenerMemo.get(l.name);
    if (last !== undefined && last.source === l && last.routes === routes) return last.model;
    const model = Object.freeze({ ...l, http: Object.freeze({ ...http, routeConfig: routes }) });
    this.listenerMemo.set(l.name, { source: l, routes, model });
    return model;
  }

  private routeConfig(name: string, clusters: ReadonlyMap<string, ClusterModel>, vhosts: Map<string, VirtualHostModel>, memo: Map<string, RouteMemo>): RouteConfigModel | null {
    const held = this.store.get('routeConfiguration', name);
    if (held === undefined) return null;
    if (!held.model.vhds) return held.model.routeConfig;
    const picked = this.virtualHosts(name, held.model.routeConfig, clusters, vhosts);
    const last = memo.get(name) ?? this.routeMemo.get(name);
    if (last !== undefined && last.held === held && sameList(last.vhosts, picked)) {
      memo.set(name, last);
      return last.model;
    }
    const base = held.model.routeConfig;
    const model = Object.freeze({ ...base, virtualHosts: Object.freeze([...base.virtualHosts, ...picked]) });
    memo.set(name, { held, vhosts: picked, model });
    return model;
  }

  private virtualHosts(rc: string, base: RouteConfigModel, clusters: ReadonlyMap<string, ClusterModel>, included: Map<string, VirtualHostModel>): VirtualHostModel[] {
    const prefix = `${rc}/`;
    const claimed = new Set(base.virtualHosts.flatMap((vh) => vh.domains));
    const out: VirtualHostModel[] = [];
    const held = [...this.store.all('virtualHost')].filter((h) => h.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const h of held) {
      const running = this.committedVhosts.get(h.name);
      const vh = virtualHostReady(h.model, clusters) ? h.model : running !== undefined && virtualHostReady(running, clusters) ? running : null;
      if (vh === null) continue;
      const served = this.withoutClaimed(vh, claimed);
      if (served === null) continue;
      for (const d of served.domains) claimed.add(d);
      included.set(h.name, vh);
      out.push(served);
    }
    return out;
  }

  /** The host without domains an earlier one claimed (same object when none is); null when none is left. */
  private withoutClaimed(vh: VirtualHostModel, claimed: ReadonlySet<string>): VirtualHostModel | null {
    const domains = vh.domains.filter((d) => !claimed.has(d));
    if (domains.length === vh.domains.length) return vh;
    if (domains.length === 0) return null;
    const key = domains.join('\n');
    const memo = this.dedupeMemo.get(vh);
    if (memo !== undefined && memo.key === key) return memo.model;
    const model = Object.freeze({ ...vh, domains: Object.freeze(domains) });
    this.dedupeMemo.set(vh, { key, model });
    return model;
  }

  private freeze(listeners: readonly ListenerModel[], clusters: ReadonlyMap<string, ClusterModel>): ConfigSnapshot {
    return Object.freeze({
      version: `xds-${++this.seq}`,
      listeners: Object.freeze([...listeners]),
      clusters: new FrozenMap(clusters),
      admin: this.base.admin,
      node: this.base.node,
    });
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const sameListeners = sameList<ListenerModel>;

function sameClusters(a: ReadonlyMap<string, ClusterModel>, b: ReadonlyMap<string, ClusterModel>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, model] of b) if (a.get(name) !== model) return false;
  return true;
}
