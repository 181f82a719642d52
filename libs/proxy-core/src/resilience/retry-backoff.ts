import { backoffDelay } from '@weft/shared';
import type { RetryPolicyModel } from '../model/config-model';

/** Envoy's default base retry interval (`upstream.base_retry_backoff_ms`). */
export const DEFAULT_RETRY_BASE_MS = 25;

/**
 * Delay before retry number `attempt` (0 for the first retry): full jitter over
 * [0, min(max, base × 2^attempt)), as Envoy's `JitteredExponentialBackOffStrategy` (25 ms base:
 * the first retry waits 0–24 ms, the second 0–49 ms, …). `backoffBaseMs` / `backoffMaxMs` ≤ 0 mean
 * "not set": base 25 ms, max 10 × base (Envoy's `retry_back_off` defaults).
 */
export function retryDelay(attempt: number, policy: RetryPolicyModel, random: () => number = Math.random): number {
  const base = policy.backoffBaseMs > 0 ? policy.backoffBaseMs : DEFAULT_RETRY_BASE_MS;
  const max = policy.backoffMaxMs > 0 ? policy.backoffMaxMs : base * 10;
  return backoffDelay(attempt, base, max, random);
}
