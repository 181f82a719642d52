import type { HeaderOp } from './header-mutations';

/**
 * One upstream cluster a forwarding route may pick: `cluster` is a single entry of weight 1,
 * `weighted_clusters` one entry per cluster. Header operations are the full request/response plans
 * for this choice (weighted cluster → route → virtual host → route configuration).
 */
export class CompiledCluster {
  constructor(
    readonly name: string,
    readonly weight: number,
    readonly requestHeaderOps: readonly HeaderOp[],
    readonly responseHeaderOps: readonly HeaderOp[],
  ) {}
}

/** What pickCluster needs from a route (CompiledRoute satisfies it). */
export interface WeightedClusters {
  readonly clusters: readonly CompiledCluster[];
  /** Running sums of the weights, same order as `clusters`. */
  readonly cumulativeWeights: readonly number[];
  readonly totalWeight: number;
}

/**
 * Envoy's weighted selection: value = random % total, then the first cluster whose cumulative
 * weight exceeds it; zero-weight clusters are never picked. `random` returns a float in [0, 1).
 * Null for routes that do not forward (redirect, direct response). Allocates nothing.
 */
export function pickCluster(route: WeightedClusters, random: () => number): CompiledCluster | null {
  const clusters = route.clusters;
  if (clusters.length <= 1) return clusters.length === 0 ? null : clusters[0];
  return pickClusterByValue(route, Math.floor(random() * route.totalWeight));
}

/** Same, for an integer selection value (a hash, or a header value as in Envoy's header_name). */
export function pickClusterByValue(route: WeightedClusters, value: number): CompiledCluster | null {
  const clusters = route.clusters;
  if (clusters.length === 0) return null;
  const target = value % route.totalWeight;
  const cumulative = route.cumulativeWeights;
  for (let i = 0; i < cumulative.length; i++) {
    if (target < cumulative[i]) return clusters[i];
  }
  return clusters[clusters.length - 1];
}
