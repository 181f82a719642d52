import { TYPE_URL } from '@weft/xds';
import type { ChangeSet } from './change-set';
import type { MeshService } from './mesh-service';
import type { RequestedNames } from './requested-names';
import { outboundClusterName, virtualHostName } from './resource-names';
import { destinationRuleOf, type RuleLookup } from './rule-views';
import type { ServiceStore } from './service-store';

/**
 * Which resources a change of one service or host touches, by name. Every function costs
 * O(ports × subsets + names asked for) of that service: never a scan of the mesh.
 */

/** EDS only: an endpoint change (the fast path: clusters, routes and listeners stay as they are). */
export function addEndpointNames(change: ChangeSet, service: MeshService, rules: RuleLookup): void {
  forEachCluster(service, rules, (name) => change.add(TYPE_URL.clusterLoadAssignment, name));
}

/** CDS and EDS of every port and subset. */
export function addClusterNames(change: ChangeSet, service: MeshService, rules: RuleLookup): void {
  forEachCluster(service, rules, (name) => {
    change.add(TYPE_URL.cluster, name);
    change.add(TYPE_URL.clusterLoadAssignment, name);
  });
}

/** The routes of a service: canonical VHDS names and every on-demand name asked for any of its hosts. */
export function addRouteNames(change: ChangeSet, service: MeshService, requested: RequestedNames): void {
  for (const p of service.ports) change.add(TYPE_URL.virtualHost, virtualHostName(service.fqdn, p.number));
  for (const h of service.hosts) requested.addTo(change, h);
}

/** Everything of a service (a service added, removed or reshaped). */
export function addServiceNames(change: ChangeSet, service: MeshService, rules: RuleLookup, requested: RequestedNames): void {
  addClusterNames(change, service, rules);
  addRouteNames(change, service, requested);
}

/** The routes of a host, known as a service or only as names clients asked for. */
export function addHostRouteNames(change: ChangeSet, host: string, services: ServiceStore, requested: RequestedNames): void {
  const service = services.byHost(host);
  if (service !== null) addRouteNames(change, service, requested);
  else requested.addTo(change, host);
}

function forEachCluster(service: MeshService, rules: RuleLookup, visit: (name: string) => void): void {
  const subsets = destinationRuleOf(rules, service)?.subsetNames ?? [];
  for (const p of service.ports) {
    visit(outboundClusterName(p.number, '', service.fqdn));
    for (const s of subsets) visit(outboundClusterName(p.number, s, service.fqdn));
  }
}
