import type { RetryPolicyModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { FrozenSet } from '../frozen';
import { any, msg, msgs, num, nums, str, type ProtoMessage } from '../proto/proto-value';
import { TYPE } from '../support/type-names';

/** The retry_on conditions the router implements (HTTP and gRPC). */
export const SUPPORTED_RETRY_ON: ReadonlySet<string> = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'connect-failure',
  'refused-stream',
  'retriable-4xx',
  'retriable-status-codes',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/** Envoy's back-off when retry_back_off is absent. */
const DEFAULT_BACKOFF_BASE_MS = 25;
const DEFAULT_BACKOFF_MAX_MS = 250;
const PREVIOUS_HOSTS = 'envoy.retry_host_predicates.previous_hosts';

/** envoy.config.route.v3.RetryPolicy (virtual host or route). */
export function retryPolicy(m: ProtoMessage, path: string, ctx: ConfigContext): RetryPolicyModel {
  const [backoffBaseMs, backoffMaxMs] = backoff(msg(m, 'retry_back_off'), fieldPath(path, 'retry_back_off'), ctx);
  const perTry = num(m, 'per_try_timeout');
  return {
    retryOn: new FrozenSet(retryOn(str(m, 'retry_on'), fieldPath(path, 'retry_on'), ctx)),
    numRetries: num(m, 'num_retries') ?? 1,
    perTryTimeoutMs: perTry === null || perTry === 0 ? null : perTry,
    retriableStatusCodes: nums(m, 'retriable_status_codes'),
    backoffBaseMs,
    backoffMaxMs,
    previousHosts: previousHosts(m, fieldPath(path, 'retry_host_predicate'), ctx),
    hostSelectionRetryMaxAttempts: num(m, 'host_selection_retry_max_attempts') ?? 1,
  };
}

function retryOn(value: string, path: string, ctx: ConfigContext): string[] {
  const conditions = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  for (const c of conditions) {
    if (!SUPPORTED_RETRY_ON.has(c)) ctx.issue(path, `retry condition "${c}" is not supported by weft-proxy`);
  }
  return conditions;
}

function backoff(m: ProtoMessage | null, path: string, ctx: ConfigContext): [number, number] {
  if (m === null) return [DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS];
  const base = Math.max(1, num(m, 'base_interval') ?? DEFAULT_BACKOFF_BASE_MS); // Envoy rounds up to 1 ms
  const max = num(m, 'max_interval') ?? base * 10;
  if (max < base) ctx.issue(fieldPath(path, 'max_interval'), 'must be greater than or equal to base_interval');
  return [base, max];
}

function previousHosts(m: ProtoMessage, path: string, ctx: ConfigContext): boolean {
  const predicates = msgs(m, 'retry_host_predicate');
  predicates.forEach((p, i) => {
    const typed = any(p, 'typed_config');
    const ok = typed !== null ? typed.typeName === TYPE.previousHostsPredicate : str(p, 'name') === PREVIOUS_HOSTS;
    if (!ok) ctx.issue(indexPath(path, i), `only the ${PREVIOUS_HOSTS} predicate is supported by weft-proxy`);
  });
  return predicates.length > 0;
}
