import type { RetryBudgetModel } from '../model/config-model';

/**
 * Envoy's retry budget (`circuit_breakers.thresholds[].retry_budget`, `RetryBudgetImpl::max()` in
 * `source/common/upstream/resource_manager_impl.h`): the cluster may have at most
 * max(⌊budget_percent × (active + pending requests)⌋, min_retry_concurrency) retries outstanding.
 * When a budget is configured it replaces the static `max_retries` threshold. Envoy's defaults
 * (applied by config translation, not here) are 20 % and 3.
 *
 * `budgetPercent` is a fraction (0..1); translated as `budget_percent.value / 100` it gives exactly
 * Envoy's double arithmetic, so the floor lands where Envoy's does.
 */
export function retryBudgetLimit(budget: RetryBudgetModel, activeRequests: number, pendingRequests = 0): number {
  const byShare = Math.floor(budget.budgetPercent * (activeRequests + pendingRequests));
  return byShare > budget.minRetryConcurrency ? byShare : budget.minRetryConcurrency;
}

/** Whether one more retry may start now, given the retries already outstanding. No allocation. */
export function retryBudgetAllows(
  budget: RetryBudgetModel,
  activeRequests: number,
  pendingRequests: number,
  activeRetries: number,
): boolean {
  return activeRetries < retryBudgetLimit(budget, activeRequests, pendingRequests);
}
