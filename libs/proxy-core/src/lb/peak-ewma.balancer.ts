import { pickLeastLoaded } from './least-loaded-pick';
import type { PeakEwma } from './peak-ewma';
import type { LbContext, LbHost, LoadBalancer } from './types';

/** A host carrying its latency estimator (the cluster records RTTs into it). */
export interface EwmaHost extends LbHost {
  readonly ewma: PeakEwma;
}

/**
 * PEAK_EWMA (Linkerd's default balancer): power of `choiceCount` choices (P2C for 2) over each
 * host's cost = peak-EWMA RTT × (activeRequests + 1), divided by the host's weight (Linkerd has no
 * endpoint weights; dividing makes a weight-2 host worth as much as a weight-1 host at half the
 * cost). A slow or busy host loses most comparisons; as its estimate decays it is tried again.
 * Unavailable and excluded hosts are skipped as in the other balancers (see `isEligible`).
 */
export class PeakEwmaBalancer<H extends EwmaHost = EwmaHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly choices: number;

  /** `now`: the clock the hosts' estimators are fed with, in ms. */
  constructor(hosts: readonly H[], random: () => number, now: () => number, choiceCount = 2) {
    this.hosts = hosts.slice();
    this.random = random;
    this.now = now;
    this.choices = Math.max(1, Math.floor(choiceCount));
  }

  pick(ctx: LbContext): H | null {
    return pickLeastLoaded(this.hosts, this.choices, this.random, ctx.exclude, ewmaCostOf, this.now());
  }
}

function ewmaCostOf(host: EwmaHost, nowMs: number): number {
  return host.ewma.cost(nowMs, host.activeRequests) / host.weight;
}
