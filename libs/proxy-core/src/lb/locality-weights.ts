import type { EndpointModel } from '../model/config-model';

/** Resolution of locality-weighted endpoint weights (balancers take integer weights ≥ 1). */
const SCALE = 1000;

/**
 * Effective load-balancing weight of each endpoint. Without locality weighting (Envoy without
 * locality_weighted_lb_config) it is the endpoint's own weight. With them, a locality gets the share
 * of its locality weight and divides it among its endpoints by endpoint weight (Envoy's
 * locality-weighted LB: pick a locality by weight, then an endpoint within it), flattened into one
 * integer weight per endpoint so any balancer can use it.
 */
export function effectiveWeights(endpoints: readonly EndpointModel[], localityWeighted: boolean): number[] {
  if (!localityWeighted) return endpoints.map((e) => Math.max(1, e.weight));
  const sums = new Map<string, number>();
  const keyOf = (e: EndpointModel): string => `${e.priority}/${e.locality.region}/${e.locality.zone}/${e.locality.subZone}`;
  for (const e of endpoints) sums.set(keyOf(e), (sums.get(keyOf(e)) ?? 0) + e.weight);
  return endpoints.map((e) => Math.max(1, Math.round((SCALE * e.localityWeight * e.weight) / (sums.get(keyOf(e)) ?? 1))));
}
