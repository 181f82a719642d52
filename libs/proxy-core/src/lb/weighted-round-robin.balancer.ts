import { pickFromSchedule } from './edf-pick';
import { EdfScheduler } from './edf-scheduler';
import { allWeightsEqual, isEligible } from './eligible';
import type { LbContext, LbHost, LoadBalancer } from './types';

/**
 * ROUND_ROBIN, as Envoy: with equal weights a plain rotation; with unequal weights smooth weighted
 * round robin by earliest-deadline-first scheduling (exact proportions over each cycle of
 * Σweights picks, interleaved rather than bunched). Both start at a random point so proxies built
 * at the same moment don't all send their first request to the same host.
 *
 * Unavailable and excluded hosts are skipped and lose that turn (the next host in the order gets
 * the request); if every available host is excluded the exclusion is ignored (see `isEligible`).
 */
export class WeightedRoundRobinBalancer<H extends LbHost = LbHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  /** Null when all weights are equal: plain rotation. */
  private readonly edf: EdfScheduler | null;
  /** Rotation cursor (equal weights). */
  private next: number;

  constructor(hosts: readonly H[], random: () => number) {
    this.hosts = hosts.slice();
    const n = this.hosts.length;
    this.edf = n > 0 && !allWeightsEqual(this.hosts) ? new EdfScheduler(this.hosts.map(weightOf), random()) : null;
    this.next = n > 0 ? Math.floor(random() * n) % n : 0;
  }

  pick(ctx: LbContext): H | null {
    if (this.hosts.length === 0) return null;
    if (this.edf !== null) return pickFromSchedule(this.edf, this.hosts, ctx.exclude, 0);
    const host = this.rotate(ctx.exclude);
    return host === null && ctx.exclude !== null ? this.rotate(null) : host;
  }

  private rotate(exclude: ReadonlySet<LbHost> | null): H | null {
    const n = this.hosts.length;
    for (let k = 0; k < n; k++) {
      const host = this.hosts[this.next];
      this.next = this.next + 1 === n ? 0 : this.next + 1;
      if (isEligible(host, exclude)) return host;
    }
    return null;
  }
}

function weightOf(host: LbHost): number {
  return host.weight;
}
