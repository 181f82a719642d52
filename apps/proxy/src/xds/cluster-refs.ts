import type { ListenerModel, RouteConfigModel, VirtualHostModel } from '@weft/proxy-core';

/** Clusters a virtual host's routes send to: route and weighted clusters, and mirror targets. */
export function addVirtualHostRefs(vh: VirtualHostModel, out: Set<string>): void {
  for (const route of vh.routes) {
    const action = route.action;
    if (action.kind !== 'route') continue;
    for (const c of action.clusters) out.add(c.name);
    for (const m of action.mirrors) out.add(m.cluster);
  }
}

export function addRouteConfigRefs(rc: RouteConfigModel, out: Set<string>): void {
  for (const vh of rc.virtualHosts) addVirtualHostRefs(vh, out);
}

/** A listener's clusters: its tcp_proxy cluster, or those of its (inline or assembled) routes. */
export function addListenerRefs(l: ListenerModel, out: Set<string>): void {
  if (l.tcp !== null) out.add(l.tcp.cluster);
  const rc = l.http?.routeConfig ?? null;
  if (rc !== null) addRouteConfigRefs(rc, out);
}

/** Every cluster a virtual host needs is in `clusters`. */
export function virtualHostReady(vh: VirtualHostModel, clusters: ReadonlyMap<string, unknown>): boolean {
  for (const route of vh.routes) {
    const action = route.action;
    if (action.kind !== 'route') continue;
    for (const c of action.clusters) if (!clusters.has(c.name)) return false;
    for (const m of action.mirrors) if (!clusters.has(m.cluster)) return false;
  }
  return true;
}
