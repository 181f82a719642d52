import type { ClusterModel, ConfigSnapshot, ListenerModel } from '@weft/proxy-core';
import { addListenerRefs, addRouteConfigRefs, addVirtualHostRefs } from './cluster-refs';
import type { ResourceStore } from './resource-store';
import type { XdsKind } from './xds-resource';

/** What the proxy wants of one type: everything (wildcard) and/or these names. */
export interface Interest {
  readonly wildcard: boolean;
  readonly names: ReadonlySet<string>;
}

export type Interests = Readonly<Record<XdsKind, Interest>>;

/** Resources of the bootstrap (with --xds): never replaced over xDS, but their references are followed. */
export interface StaticResources {
  readonly listeners: readonly ListenerModel[];
  readonly clusters: ReadonlyMap<string, ClusterModel>;
  /** EDS clusters among `clusters`: cluster name → EDS service name. */
  readonly edsServiceNames: ReadonlyMap<string, string>;
}

export const NO_STATICS: StaticResources = { listeners: [], clusters: new Map(), edsServiceNames: new Map() };

/** What the running snapshot still uses: kept subscribed until a snapshot without it is applied (make before break). */
export interface AppliedRefs {
  readonly snapshot: ConfigSnapshot | null;
  readonly edsNames: ReadonlySet<string>;
}

export interface PlanInput {
  readonly store: ResourceStore;
  readonly statics: StaticResources;
  readonly applied: AppliedRefs;
  /** VHDS names asked for on demand (`<route config>/<authority>`). */
  readonly onDemand: ReadonlySet<string>;
  /** VHDS exists only in delta xDS. */
  readonly delta: boolean;
}

/**
 * Subscriptions follow references, as Envoy's do: all listeners (wildcard); the route configurations
 * they name (RDS); the virtual hosts of route configurations with `vhds` (wildcard, plus the names
 * asked for on demand); the clusters named by listeners, routes and virtual hosts (CDS); the EDS
 * resources of EDS clusters. What the running snapshot still uses stays subscribed until it is gone.
 */
export function planInterests(input: PlanInput): Interests {
  const { store, statics, applied } = input;
  const listeners = [...statics.listeners, ...[...store.all('listener')].map((h) => h.model), ...(applied.snapshot?.listeners ?? [])];
  const rds = new Set<string>();
  const clusters = new Set<string>();
  for (const l of listeners) {
    const name = l.http?.rdsRouteConfigName ?? null;
    if (name !== null) rds.add(name);
    addListenerRefs(l, clusters);
  }
  let vhds = false;
  for (const rc of store.all('routeConfiguration')) {
    vhds = vhds || rc.model.vhds;
    addRouteConfigRefs(rc.model.routeConfig, clusters);
  }
  vhds = vhds && input.delta;
  if (vhds) for (const vh of store.all('virtualHost')) addVirtualHostRefs(vh.model, clusters);
  for (const name of statics.clusters.keys()) clusters.delete(name);
  const eds = new Set<string>([...statics.edsServiceNames.values(), ...applied.edsNames]);
  for (const c of store.all('cluster')) if (c.model.edsServiceName !== null) eds.add(c.model.edsServiceName);
  return {
    listener: { wildcard: true, names: new Set() },
    routeConfiguration: { wildcard: false, names: rds },
    virtualHost: { wildcard: vhds, names: vhds ? new Set(input.onDemand) : new Set() },
    cluster: { wildcard: false, names: clusters },
    clusterLoadAssignment: { wildcard: false, names: eds },
  };
}

/** Interest is unchanged (no request needed). */
export function sameInterest(a: Interest, b: Interest): boolean {
  if (a.wildcard !== b.wildcard || a.names.size !== b.names.size) return false;
  for (const n of a.names) if (!b.names.has(n)) return false;
  return true;
}

export function hasInterest(i: Interest): boolean {
  return i.wildcard || i.names.size > 0;
}
