import type { ClusterModel, LbPolicy } from '../model/config-model';
import { LeastRequestBalancer } from './least-request.balancer';
import { MaglevBalancer } from './maglev.balancer';
import { type EwmaHost, PeakEwmaBalancer } from './peak-ewma.balancer';
import { RandomBalancer } from './random.balancer';
import { RingHashBalancer } from './ring-hash.balancer';
import type { LbHost, LoadBalancer } from './types';
import { WeightedRoundRobinBalancer } from './weighted-round-robin.balancer';

/** The cluster settings balancers read; a ClusterModel is one. */
export type BalancerOptions = Pick<ClusterModel, 'choiceCount' | 'ringHash' | 'maglevTableSize'>;

/**
 * Builds the balancer for a cluster's lb_policy over one version of its host set (on config or
 * host-set change, never per request). PEAK_EWMA needs hosts that carry an estimator and the clock
 * that feeds them; the overloads make the compiler ask for both whenever the policy may be PEAK_EWMA.
 */
export function createBalancer<H extends EwmaHost>(
  policy: LbPolicy,
  options: BalancerOptions,
  hosts: readonly H[],
  random: () => number,
  now: () => number,
): LoadBalancer<H>;
export function createBalancer<H extends LbHost>(
  policy: Exclude<LbPolicy, 'PEAK_EWMA'>,
  options: BalancerOptions,
  hosts: readonly H[],
  random: () => number,
): LoadBalancer<H>;
export function createBalancer<H extends LbHost>(
  policy: LbPolicy,
  options: BalancerOptions,
  hosts: readonly H[],
  random: () => number,
  now?: () => number,
): LoadBalancer<H> {
  switch (policy) {
    case 'ROUND_ROBIN':
      return new WeightedRoundRobinBalancer(hosts, random);
    case 'RANDOM':
      return new RandomBalancer(hosts, random);
    case 'LEAST_REQUEST':
      return new LeastRequestBalancer(hosts, random, { choiceCount: options.choiceCount });
    case 'RING_HASH':
      return new RingHashBalancer(hosts, random, options.ringHash);
    case 'MAGLEV':
      return new MaglevBalancer(hosts, random, options.maglevTableSize);
    case 'PEAK_EWMA':
      return createPeakEwma(hosts, random, now, options.choiceCount);
  }
}

function createPeakEwma<H extends LbHost>(
  hosts: readonly H[],
  random: () => number,
  now: (() => number) | undefined,
  choiceCount: number,
): LoadBalancer<H> {
  if (now === undefined || !hosts.every(hasEwma)) {
    throw new TypeError('PEAK_EWMA needs hosts with an ewma estimator and a clock');
  }
  return new PeakEwmaBalancer(hosts as readonly (H & EwmaHost)[], random, now, choiceCount);
}

function hasEwma(host: LbHost): host is EwmaHost {
  return (host as Partial<EwmaHost>).ewma !== undefined;
}
