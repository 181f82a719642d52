import type { MeshEndpoint } from '../model/mesh-endpoint';
import type { MeshPort } from '../model/mesh-service';

/** What one ClusterLoadAssignment is built from: a service port's endpoints and a subset's labels. */
export interface EndpointsView {
  readonly clusterName: string;
  readonly port: MeshPort;
  readonly endpoints: readonly MeshEndpoint[];
  /** The subset's labels; null (or empty) for the whole service. */
  readonly subsetLabels: Readonly<Record<string, string>> | null;
}

/** Envoy: a locality weight is a uint32. */
const MAX_LOCALITY_WEIGHT = 4_294_967_295;

interface LocalityGroup {
  readonly locality: { region: string; zone: string; sub_zone: string };
  weight: number;
  readonly lb_endpoints: Record<string, unknown>[];
}

/**
 * envoy.config.endpoint.v3.ClusterLoadAssignment. Only healthy endpoints with an IP-literal address
 * (weft-proxy, Envoy's EDS and grpc-js-xds all require IPs) whose labels include the subset's;
 * grouped by locality, each group with its locality set and a weight (the sum of its endpoints'
 * weights: grpc-js-xds skips localities without one); one entry per address:port. No endpoints is a
 * valid, empty assignment.
 */
export function generateEndpoints(view: EndpointsView): Record<string, unknown> {
  const groups = new Map<string, LocalityGroup>();
  const seen = new Set<string>();
  for (const e of view.endpoints) {
    if (e.status !== 'healthy' || !e.ipLiteral) continue;
    if (view.subsetLabels !== null && !e.hasLabels(view.subsetLabels)) continue;
    const port = e.portFor(view.port.name, view.port.number);
    const id = `${e.address}|${port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const group = groupOf(groups, e.locality);
    group.weight += e.weight;
    group.lb_endpoints.push(lbEndpoint(e, port));
  }
  const keys = [...groups.keys()].sort();
  const endpoints = keys.map((k) => {
    const g = groups.get(k) as LocalityGroup;
    return { locality: g.locality, load_balancing_weight: { value: Math.min(MAX_LOCALITY_WEIGHT, Math.max(1, g.weight)) }, lb_endpoints: g.lb_endpoints };
  });
  return { cluster_name: view.clusterName, endpoints };
}

function lbEndpoint(e: MeshEndpoint, port: number): Record<string, unknown> {
  return {
    endpoint: { address: { socket_address: { address: e.address, port_value: port } } },
    health_status: 'HEALTHY',
    load_balancing_weight: { value: e.weight },
  };
}

function groupOf(groups: Map<string, LocalityGroup>, locality: string | null): LocalityGroup {
  const key = locality ?? '';
  let g = groups.get(key);
  if (g === undefined) {
    g = { locality: parseLocality(key), weight: 0, lb_endpoints: [] };
    groups.set(key, g);
  }
  return g;
}

/** `region/zone/subzone` (any part may be missing) → an envoy.config.core.v3.Locality. */
export function parseLocality(text: string): { region: string; zone: string; sub_zone: string } {
  const [region = '', zone = '', subZone = ''] = text.split('/');
  return { region, zone, sub_zone: subZone };
}
