import { allWeightsEqual, isEligible, pickWeightedEligible, randomIndex } from './eligible';
import type { LbContext, LbHost, LoadBalancer } from './types';

/**
 * RANDOM, weighted: each pick draws a host with probability weight / Σweights (binary search over
 * cumulative weights). Envoy's random policy ignores endpoint weights; Weft honours them, which is
 * the same thing when weights are equal.
 *
 * A draw that lands on an unavailable or excluded host is redrawn among the eligible hosts only
 * (a linear scan), so the result is exactly weight-proportional among eligible hosts; if every
 * available host is excluded the exclusion is ignored (see `isEligible`).
 */
export class RandomBalancer<H extends LbHost = LbHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  /** cumulative[i] = Σ weights of hosts[0..i]. */
  private readonly cumulative: Float64Array;
  private readonly random: () => number;
  /** All weights equal: a draw indexes the hosts directly. */
  private readonly uniform: boolean;

  constructor(hosts: readonly H[], random: () => number) {
    this.hosts = hosts.slice();
    this.uniform = allWeightsEqual(this.hosts);
    this.cumulative = new Float64Array(this.hosts.length);
    let total = 0;
    for (let i = 0; i < this.hosts.length; i++) {
      total += this.hosts[i].weight;
      this.cumulative[i] = total;
    }
    this.random = random;
  }

  pick(ctx: LbContext): H | null {
    const n = this.hosts.length;
    if (n === 0) return null;
    const host = this.hosts[this.uniform ? randomIndex(this.random, n) : this.search(this.random() * this.cumulative[n - 1])];
    if (isEligible(host, ctx.exclude)) return host;
    return pickWeightedEligible(this.hosts, ctx.exclude, this.random);
  }

  /** Index of the first host whose cumulative weight exceeds `target`. */
  private search(target: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
