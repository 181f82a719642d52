import { defaultHttpRetry, type HttpRetry } from '@weft/api';
import type { GeneratorScope } from './generator-scope';
import { duration, PREVIOUS_HOSTS_TYPE } from './xds-values';

/** Istio's mesh default when a route sets no `retries` (the same policy the rule parser fills in). */
export const DEFAULT_RETRY: HttpRetry = defaultHttpRetry();

/** The retry conditions grpc-js-xds implements (gRFC A44); it ignores the others. */
const GRPC_RETRY_ON: ReadonlySet<string> = new Set(['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable']);
const HOST_SELECTION_ATTEMPTS = 5;

/**
 * HTTPRetry → envoy.config.route.v3.RetryPolicy, or null when retries are off. `consistentHash`: the
 * destination hashes requests to hosts, so previously tried hosts are not skipped (Istio) unless
 * `retryIgnorePreviousHosts` says so explicitly.
 */
export function retryPolicy(retry: HttpRetry, scope: GeneratorScope, consistentHash: boolean): Record<string, unknown> | null {
  if (retry.attempts <= 0) return null;
  if (scope === 'grpc') return grpcRetryPolicy(retry);
  const out: Record<string, unknown> = {
    retry_on: retry.retryOn.join(','),
    num_retries: { value: retry.attempts },
    retry_back_off: { base_interval: duration(Math.max(1, retry.backoffMs)) },
  };
  if (retry.perTryTimeoutMs !== null) out.per_try_timeout = duration(retry.perTryTimeoutMs);
  if (retry.retriableStatusCodes.length > 0) out.retriable_status_codes = retry.retriableStatusCodes;
  if (retry.retryIgnorePreviousHosts ?? !consistentHash) {
    out.retry_host_predicate = [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': PREVIOUS_HOSTS_TYPE } }];
    out.host_selection_retry_max_attempts = HOST_SELECTION_ATTEMPTS;
  }
  return out;
}

function grpcRetryPolicy(retry: HttpRetry): Record<string, unknown> | null {
  const on = retry.retryOn.filter((c) => GRPC_RETRY_ON.has(c));
  if (on.length === 0) return null;
  return { retry_on: on.join(','), num_retries: { value: retry.attempts }, retry_back_off: { base_interval: duration(Math.max(1, retry.backoffMs)) } };
}
