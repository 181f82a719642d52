import type { EdfScheduler } from './edf-scheduler';
import { isEligible } from './eligible';
import type { LbHost } from './types';

/**
 * Host i's scheduling weight: `weight / (activeRequests + 1) ^ bias` (Envoy's least-request formula;
 * bias 0 is plain weighted round robin).
 */
export function effectiveWeight(host: LbHost, bias: number): number {
  if (bias === 0) return host.weight;
  if (bias === 1) return host.weight / (host.activeRequests + 1);
  return host.weight / Math.pow(host.activeRequests + 1, bias);
}

/**
 * The next host of an EDF schedule (entry i = hosts[i]) that may take the request. A host that is
 * unavailable or excluded loses its turn, as in Envoy, where a host rejected by the retry predicate
 * has still advanced the scheduler: the others keep their exact proportions among themselves and a
 * host that comes back resumes its place without a burst of catch-up picks. After `n` lost turns in a
 * row, the eligible host due first is taken directly (a linear scan, so a pick is O(n log n) at worst).
 */
export function pickFromSchedule<H extends LbHost>(
  edf: EdfScheduler,
  hosts: readonly H[],
  exclude: ReadonlySet<LbHost> | null,
  bias: number,
): H | null {
  const n = hosts.length;
  for (let turn = 0; turn < n; turn++) {
    const i = edf.peek();
    const host = hosts[i];
    edf.advance(i, effectiveWeight(host, bias));
    if (isEligible(host, exclude)) return host;
  }
  let best = earliestEligible(edf, hosts, exclude);
  if (best < 0 && exclude !== null) best = earliestEligible(edf, hosts, null);
  if (best < 0) return null;
  edf.advance(best, effectiveWeight(hosts[best], bias));
  return hosts[best];
}

function earliestEligible(edf: EdfScheduler, hosts: readonly LbHost[], exclude: ReadonlySet<LbHost> | null): number {
  let best = -1;
  for (let i = 0; i < hosts.length; i++) {
    if (isEligible(hosts[i], exclude) && (best < 0 || edf.before(i, best))) best = i;
  }
  return best;
}
