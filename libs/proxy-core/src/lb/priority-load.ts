/**
 * Envoy's priority load (`LoadBalancerBase::recalculatePerPriorityState`): how much of the traffic
 * each EDS priority level gets, from the share of its hosts that are available.
 *
 * A level's health is `min(100, overprovisioning × available ÷ total)` percent (overprovisioning 1.4
 * by default: a level with ≥ 71.4 % of its hosts up still takes all the traffic it is offered). Load
 * goes to level 0 up to its health, the rest to level 1 up to its health, and so on; when the levels'
 * health sums to less than 100 the loads are scaled up to 100 (Envoy's normalized total health). So
 * traffic spills over gradually as a level loses hosts, instead of only when the whole level is down.
 * When no level has an available host, all load stays on level 0 (the pick then finds nothing).
 */
export const DEFAULT_OVERPROVISIONING_FACTOR = 1.4;

export interface LevelHealth {
  /** Hosts of the level that may be picked (healthy, not ejected). */
  readonly available: number;
  readonly total: number;
}

/** Integer percentages per level, summing to 100. */
export function priorityLoad(levels: readonly LevelHealth[], overprovisioning = DEFAULT_OVERPROVISIONING_FACTOR): number[] {
  const health = levels.map((l) => (l.total === 0 ? 0 : Math.min(100, Math.floor((overprovisioning * 100 * l.available) / l.total))));
  const totalHealth = Math.min(100, health.reduce((a, b) => a + b, 0));
  const load = levels.map(() => 0);
  if (levels.length === 0) return load;
  if (totalHealth === 0) {
    load[0] = 100;
    return load;
  }
  let remaining = 100;
  for (let i = 0; i < health.length; i++) {
    load[i] = Math.min(remaining, Math.floor((health[i] * 100) / totalHealth));
    remaining -= load[i];
  }
  // Rounding leftovers go to the first level that has health (as Envoy does).
  if (remaining > 0) load[health.findIndex((h) => h > 0)] += remaining;
  return load;
}

/** The level a draw in [0, 100) falls in, by cumulative load. */
export function levelForDraw(load: readonly number[], draw: number): number {
  let acc = 0;
  for (let i = 0; i < load.length; i++) {
    acc += load[i];
    if (draw < acc) return i;
  }
  return load.length - 1;
}
