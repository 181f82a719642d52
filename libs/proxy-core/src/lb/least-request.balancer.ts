import { effectiveWeight, pickFromSchedule } from './edf-pick';
import { EdfScheduler } from './edf-scheduler';
import { allWeightsEqual } from './eligible';
import { pickLeastLoaded } from './least-loaded-pick';
import type { LbContext, LbHost, LoadBalancer } from './types';

export interface LeastRequestOptions {
  /** Random draws per pick when weights are equal (Envoy choice_count, default 2). */
  readonly choiceCount: number;
  /** Envoy active_request_bias (default 1.0): how strongly load lowers a weighted host's share. */
  readonly activeRequestBias: number;
}

const DEFAULTS: LeastRequestOptions = { choiceCount: 2, activeRequestBias: 1 };

/**
 * LEAST_REQUEST, as Envoy:
 * - all weights equal: power of `choiceCount` choices over in-flight requests (P2C for 2): draw
 *   that many hosts, send to the one with the fewest `activeRequests`;
 * - unequal weights: weighted round robin by EDF where a host's weight, recomputed each time it is
 *   picked, is `weight / (activeRequests + 1) ^ bias`: a busy host comes round less often.
 * Unavailable and excluded hosts are skipped as in the other balancers (see `isEligible`).
 */
export class LeastRequestBalancer<H extends LbHost = LbHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  private readonly random: () => number;
  private readonly choices: number;
  private readonly bias: number;
  /** Null when all weights are equal: power of choices instead. */
  private readonly edf: EdfScheduler | null;

  constructor(hosts: readonly H[], random: () => number, options: Partial<LeastRequestOptions> = {}) {
    this.hosts = hosts.slice();
    this.random = random;
    this.choices = Math.max(1, Math.floor(options.choiceCount ?? DEFAULTS.choiceCount));
    this.bias = Math.max(0, options.activeRequestBias ?? DEFAULTS.activeRequestBias);
    const weighted = this.hosts.length > 0 && !allWeightsEqual(this.hosts);
    this.edf = weighted ? new EdfScheduler(this.hosts.map((h) => effectiveWeight(h, this.bias)), random()) : null;
  }

  pick(ctx: LbContext): H | null {
    if (this.edf !== null) return pickFromSchedule(this.edf, this.hosts, ctx.exclude, this.bias);
    return pickLeastLoaded(this.hosts, this.choices, this.random, ctx.exclude, activeRequestsOf, 0);
  }
}

function activeRequestsOf(host: LbHost): number {
  return host.activeRequests;
}
