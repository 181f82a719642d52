import type { CircuitBreakersModel, RetryBudgetModel } from '../model/config-model';
import { retryBudgetLimit } from './retry-budget';

export type CircuitResource = 'connections' | 'pending' | 'requests' | 'retries';

const CONNECTIONS = 0;
const PENDING = 1;
const REQUESTS = 2;
const RETRIES = 3;

function slot(resource: CircuitResource): number {
  switch (resource) {
    case 'connections':
      return CONNECTIONS;
    case 'pending':
      return PENDING;
    case 'requests':
      return REQUESTS;
    case 'retries':
      return RETRIES;
  }
}

/**
 * Envoy's per-cluster circuit breakers at the default priority (`ResourceManagerImpl`,
 * arch overview "Circuit breaking"): a resource may be taken while its count is below its limit
 * (`canCreate(): count < max`); each refusal bumps that resource's overflow counter. When the
 * cluster has a retry budget, the budget replaces `maxRetries` (see `retryBudgetLimit`).
 *
 * Envoy stats: `upstream_cx_overflow`, `upstream_rq_pending_overflow` (Envoy charges a refused
 * `max_requests` to the pending-overflow counter too) and `upstream_rq_retry_overflow` have getters;
 * `overflow(resource)` keeps the four causes apart. Gauges `circuit_breakers.default.*_open` and
 * `remaining_*` are `isOpen` and `remaining`.
 *
 * Hold each resource as long as Envoy does: a connection from connect start to close, a pending
 * request while it waits for a connection, a request while in flight upstream, a retry from the
 * decision to retry (backoff included) until that attempt ends.
 */
export class CircuitBreaker {
  private readonly counts = new Float64Array(4);
  private readonly overflows = new Float64Array(4);
  private readonly limits = new Float64Array(4);
  private retryBudget: RetryBudgetModel | null = null;

  constructor(thresholds: CircuitBreakersModel, retryBudget: RetryBudgetModel | null = null) {
    this.setThresholds(thresholds, retryBudget);
  }

  /** New limits from a cluster update; counts in flight are kept. */
  setThresholds(thresholds: CircuitBreakersModel, retryBudget: RetryBudgetModel | null): void {
    this.limits[CONNECTIONS] = thresholds.maxConnections;
    this.limits[PENDING] = thresholds.maxPendingRequests;
    this.limits[REQUESTS] = thresholds.maxRequests;
    this.limits[RETRIES] = thresholds.maxRetries;
    this.retryBudget = retryBudget;
  }

  /** Takes one unit if under the limit; otherwise counts an overflow and returns false. No allocation. */
  tryAcquire(resource: CircuitResource): boolean {
    const i = slot(resource);
    if (this.counts[i] >= this.limitAt(i)) {
      this.overflows[i]++;
      return false;
    }
    this.counts[i]++;
    return true;
  }

  /**
   * Takes one unit whatever the limit. Envoy's pools do this for the first connection of a host pool
   * that has none, so queued requests are not stranded by other hosts' connections.
   */
  forceAcquire(resource: CircuitResource): void {
    this.counts[slot(resource)]++;
  }

  /** Gives one unit back; never goes below zero. */
  release(resource: CircuitResource): void {
    const i = slot(resource);
    if (this.counts[i] > 0) this.counts[i]--;
  }

  count(resource: CircuitResource): number {
    return this.counts[slot(resource)];
  }

  limit(resource: CircuitResource): number {
    return this.limitAt(slot(resource));
  }

  /** Envoy `*_open` gauge: the next `tryAcquire` would be refused. */
  isOpen(resource: CircuitResource): boolean {
    const i = slot(resource);
    return this.counts[i] >= this.limitAt(i);
  }

  /** Envoy `remaining_*` gauge (Envoy shows 0 for retries under a budget; this shows the live value). */
  remaining(resource: CircuitResource): number {
    const i = slot(resource);
    return Math.max(0, this.limitAt(i) - this.counts[i]);
  }

  /** Refusals of this resource since creation. */
  overflow(resource: CircuitResource): number {
    return this.overflows[slot(resource)];
  }

  /** Envoy `upstream_cx_overflow`. */
  get upstreamCxOverflow(): number {
    return this.overflows[CONNECTIONS];
  }

  /** Envoy `upstream_rq_pending_overflow`: refused pending requests plus refused requests. */
  get upstreamRqPendingOverflow(): number {
    return this.overflows[PENDING] + this.overflows[REQUESTS];
  }

  /** Envoy `upstream_rq_retry_overflow`. */
  get upstreamRqRetryOverflow(): number {
    return this.overflows[RETRIES];
  }

  private limitAt(i: number): number {
    if (i === RETRIES && this.retryBudget !== null) {
      return retryBudgetLimit(this.retryBudget, this.counts[REQUESTS], this.counts[PENDING]);
    }
    return this.limits[i];
  }
}
