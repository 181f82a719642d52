import { isEligible, randomIndex } from './eligible';
import type { LbHost } from './types';

/** A host's load for power-of-choices balancing (lower is better); a module-level function, not a closure. */
export type LoadOf<H extends LbHost> = (host: H, nowMs: number) => number;

/**
 * Power of `choices` random choices (P2C for 2): draws `choices` hosts and returns the eligible one
 * with the lowest load; ties keep the earlier draw. Draws after the first avoid the first host
 * (Linkerd/tower draw two distinct hosts; Envoy draws with replacement, which with two hosts wastes
 * the second choice half the time). Draws that land on ineligible hosts are lost; when every draw is,
 * the least-loaded eligible host is found by a scan from a random start (exclusion ignored if it
 * leaves nothing). Null when no host is available.
 */
export function pickLeastLoaded<H extends LbHost>(
  hosts: readonly H[],
  choices: number,
  random: () => number,
  exclude: ReadonlySet<LbHost> | null,
  loadOf: LoadOf<H>,
  nowMs: number,
): H | null {
  const n = hosts.length;
  if (n === 0) return null;
  const first = randomIndex(random, n);
  let best: H | null = isEligible(hosts[first], exclude) ? hosts[first] : null;
  let bestLoad = best === null ? 0 : loadOf(best, nowMs);
  for (let c = 1; c < choices && n > 1; c++) {
    let i = randomIndex(random, n - 1);
    if (i >= first) i++;
    const host = hosts[i];
    if (!isEligible(host, exclude)) continue;
    const load = loadOf(host, nowMs);
    if (best === null || load < bestLoad) {
      best = host;
      bestLoad = load;
    }
  }
  if (best !== null) return best;
  return scanLeastLoaded(hosts, random, exclude, loadOf, nowMs);
}

function scanLeastLoaded<H extends LbHost>(
  hosts: readonly H[],
  random: () => number,
  exclude: ReadonlySet<LbHost> | null,
  loadOf: LoadOf<H>,
  nowMs: number,
): H | null {
  const n = hosts.length;
  const start = randomIndex(random, n);
  let best: H | null = null;
  let bestLoad = 0;
  for (let k = 0; k < n; k++) {
    const host = hosts[(start + k) % n];
    if (!isEligible(host, exclude)) continue;
    const load = loadOf(host, nowMs);
    if (best === null || load < bestLoad) {
      best = host;
      bestLoad = load;
    }
  }
  if (best === null && exclude !== null) return scanLeastLoaded(hosts, random, null, loadOf, nowMs);
  return best;
}
