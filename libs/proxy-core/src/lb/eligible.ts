import type { LbHost } from './types';

/**
 * Which hosts a pick may return, shared by every balancer:
 * - never a host that is not `available`;
 * - not a host in `ctx.exclude` (the retry previous_hosts predicate) while another available host
 *   exists. When every available host is excluded, the exclusion is ignored and an available host is
 *   returned anyway: Envoy does the same once host_selection_retry_max_attempts are used up (it
 *   keeps the last host it drew); returning null instead would fail a retry that can still be sent.
 */
export function isEligible(host: LbHost, exclude: ReadonlySet<LbHost> | null): boolean {
  return host.available && (exclude === null || !exclude.has(host));
}

/** True when some host is eligible under `exclude`. */
export function anyEligible(hosts: readonly LbHost[], exclude: ReadonlySet<LbHost> | null): boolean {
  for (let i = 0; i < hosts.length; i++) {
    if (isEligible(hosts[i], exclude)) return true;
  }
  return false;
}

/** `floor(random() * n)`, kept below n even if `random` returns 1. */
export function randomIndex(random: () => number, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? i : n - 1;
}

/**
 * Weighted random choice among the eligible hosts, exactly proportional to their weights (a linear
 * scan: the slow path, taken when a faster draw landed on a host that cannot be used). Ignores the
 * exclusion when it leaves nothing; null when no host is available.
 */
export function pickWeightedEligible<H extends LbHost>(
  hosts: readonly H[],
  exclude: ReadonlySet<LbHost> | null,
  random: () => number,
): H | null {
  let total = 0;
  for (let i = 0; i < hosts.length; i++) {
    if (isEligible(hosts[i], exclude)) total += hosts[i].weight;
  }
  if (total === 0) return exclude === null ? null : pickWeightedEligible(hosts, null, random);
  let target = random() * total;
  let last: H | null = null;
  for (let i = 0; i < hosts.length; i++) {
    const host = hosts[i];
    if (!isEligible(host, exclude)) continue;
    target -= host.weight;
    if (target < 0) return host;
    last = host;
  }
  return last;
}

/** True when every host has the same weight (balancers then use their cheaper unweighted form). */
export function allWeightsEqual(hosts: readonly LbHost[]): boolean {
  for (let i = 1; i < hosts.length; i++) {
    if (hosts[i].weight !== hosts[0].weight) return false;
  }
  return true;
}

/** Orders hosts by id: consistent-hash structures built from it don't depend on input order. */
export function compareHostIds(a: LbHost, b: LbHost): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
