import type { ConsistentHash, Destination, HttpRoute } from '@weft/api';
import { defaultHttpRoute } from '../generators/default-route';
import type { RouteView } from '../generators/http-route';
import type { MeshService } from './mesh-service';
import { outboundClusterName } from './resource-names';
import { destinationRuleOf, type RuleLookup, virtualServiceOf } from './rule-views';
import type { ServiceStore } from './service-store';

/**
 * The route views of one service port: its VirtualService's http routes with every destination and
 * mirror resolved to a cluster name (short hosts relative to the VirtualService's namespace), or
 * Istio's default route when there is no VirtualService (or it has no http routes).
 */
export function routeViews(services: ServiceStore, rules: RuleLookup, service: MeshService, port: number): RouteView[] {
  const vs = virtualServiceOf(rules, service);
  if (vs === null || vs.http.length === 0) {
    return [routeView(services, rules, defaultHttpRoute(service.fqdn, port), service.namespace, port)];
  }
  return vs.http.map((r) => routeView(services, rules, r, vs.namespace, port));
}

function routeView(services: ServiceStore, rules: RuleLookup, route: HttpRoute, namespace: string, port: number): RouteView {
  const clusters = route.route.map((d) => destinationCluster(services, d.destination, namespace, port));
  const mirrorClusters = route.mirrors.map((m) => destinationCluster(services, m.destination, namespace, port).name);
  const first = clusters[0] ?? null;
  const hash = first === null ? null : consistentHash(services, rules, first.host, first.port, first.subset);
  return { route, clusters: clusters.map((c) => c.name), mirrorClusters, hash };
}

interface ResolvedCluster {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly subset: string;
}

/**
 * A destination → `outbound|<port>|<subset>|<fqdn>`. Port: the destination's, else the service's only
 * port, else the route's own port when the service has it, else its first port.
 */
export function destinationCluster(services: ServiceStore, d: Destination, namespace: string, routePort: number): ResolvedCluster {
  const { host, service } = services.resolve(d.host, namespace);
  const fqdn = service?.fqdn ?? host;
  let port = d.port ?? routePort;
  if (d.port === null && service !== null && service.port(routePort) === null) port = service.ports[0].number;
  const subset = d.subset ?? '';
  return { name: outboundClusterName(port, subset, fqdn), host: fqdn, port, subset };
}

function consistentHash(services: ServiceStore, rules: RuleLookup, host: string, port: number, subset: string): ConsistentHash | null {
  const service = services.byHost(host);
  const dr = service === null ? rules.destinationRule(host) : destinationRuleOf(rules, service);
  return dr === null ? null : (dr.clusterPolicy(port, subset).loadBalancer.consistentHash);
}
