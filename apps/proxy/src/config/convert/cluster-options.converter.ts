import type { CircuitBreakersModel, ClusterModel, OutlierDetectionModel, RetryBudgetModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath, keyPath } from '../config-context';
import { anyMap, anyMessage, enumName, has, msg, msgs, num, type ProtoMessage } from '../proto/proto-value';
import { UPSTREAM_HTTP_OPTIONS_KEY } from '../support/type-names';
import { timeoutMs } from './common.converter';

/** Upstream protocol options, circuit breakers and outlier detection of a cluster, with Envoy's defaults. */

type UpstreamHttp = Pick<ClusterModel, 'protocol' | 'idleTimeoutMs' | 'maxRequestsPerConnection'>;

const DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;

export function upstreamHttp(cluster: ProtoMessage, path: string, ctx: ConfigContext): UpstreamHttp {
  const deprecatedH2 = has(cluster, 'http2_protocol_options');
  const optionsPath = fieldPath(path, 'typed_extension_protocol_options');
  let options: ProtoMessage | null = null;
  for (const [key, value] of anyMap(cluster, 'typed_extension_protocol_options')) {
    if (key === UPSTREAM_HTTP_OPTIONS_KEY) options = anyMessage(value);
    else ctx.issue(keyPath(optionsPath, key), `unknown protocol options key (expected "${UPSTREAM_HTTP_OPTIONS_KEY}")`);
  }
  if (options === null) {
    return { protocol: deprecatedH2 ? 'http2' : 'http1', idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, maxRequestsPerConnection: null };
  }
  if (deprecatedH2) ctx.issue(fieldPath(path, 'http2_protocol_options'), `cannot be combined with typed_extension_protocol_options["${UPSTREAM_HTTP_OPTIONS_KEY}"]`);
  const explicit = msg(options, 'explicit_http_config') ?? {};
  const common = msg(options, 'common_http_protocol_options') ?? {};
  const maxRequests = num(common, 'max_requests_per_connection');
  return {
    protocol: has(explicit, 'http2_protocol_options') ? 'http2' : 'http1',
    idleTimeoutMs: timeoutMs(common, 'idle_timeout', DEFAULT_IDLE_TIMEOUT_MS),
    maxRequestsPerConnection: maxRequests === null || maxRequests === 0 ? null : maxRequests,
  };
}

const DEFAULT_BREAKERS: CircuitBreakersModel = { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 };

/** circuit_breakers.thresholds: the DEFAULT priority entry (HIGH entries are unused: no route is HIGH priority). */
export function circuitBreakers(m: ProtoMessage | null, path: string, ctx: ConfigContext): { breakers: CircuitBreakersModel; budget: RetryBudgetModel | null } {
  const thresholdsPath = fieldPath(path, 'thresholds');
  const seen = new Set<string>();
  let t: ProtoMessage | null = null;
  for (const [i, entry] of msgs(m ?? {}, 'thresholds').entries()) {
    const priority = enumName(entry, 'priority', 'DEFAULT');
    if (seen.has(priority)) ctx.issue(fieldPath(indexPath(thresholdsPath, i), 'priority'), `duplicate thresholds for priority ${priority}`);
    seen.add(priority);
    if (priority === 'DEFAULT') t = entry;
  }
  if (t === null) return { breakers: DEFAULT_BREAKERS, budget: null };
  const budget = msg(t, 'retry_budget');
  return {
    breakers: {
      maxConnections: num(t, 'max_connections') ?? DEFAULT_BREAKERS.maxConnections,
      maxPendingRequests: num(t, 'max_pending_requests') ?? DEFAULT_BREAKERS.maxPendingRequests,
      maxRequests: num(t, 'max_requests') ?? DEFAULT_BREAKERS.maxRequests,
      maxRetries: num(t, 'max_retries') ?? DEFAULT_BREAKERS.maxRetries,
    },
    budget:
      budget === null
        ? null
        : {
            budgetPercent: (num(msg(budget, 'budget_percent') ?? {}, 'value') ?? 20) / 100,
            minRetryConcurrency: num(budget, 'min_retry_concurrency') ?? 3,
          },
  };
}

/** envoy.config.cluster.v3.OutlierDetection with Envoy's defaults (gateway-failure enforcing defaults to 0). */
export function outlierDetection(m: ProtoMessage, path: string, ctx: ConfigContext): OutlierDetectionModel {
  const baseEjectionTimeMs = num(m, 'base_ejection_time') ?? 30_000;
  const maxEjectionTimeMs = num(m, 'max_ejection_time') ?? Math.max(300_000, baseEjectionTimeMs);
  if (maxEjectionTimeMs < baseEjectionTimeMs) ctx.issue(fieldPath(path, 'max_ejection_time'), 'must be greater than or equal to base_ejection_time');
  if ((num(m, 'enforcing_success_rate') ?? 0) !== 0) {
    ctx.issue(fieldPath(path, 'enforcing_success_rate'), 'only 0 is supported by weft-proxy (success-rate ejection is not implemented)');
  }
  return {
    consecutive5xx: num(m, 'consecutive_5xx') ?? 5,
    consecutiveGatewayFailure: num(m, 'consecutive_gateway_failure') ?? 5,
    intervalMs: num(m, 'interval') ?? 10_000,
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionPercent: num(m, 'max_ejection_percent') ?? 10,
    enforcingConsecutive5xx: num(m, 'enforcing_consecutive_5xx') ?? 100,
    enforcingConsecutiveGatewayFailure: num(m, 'enforcing_consecutive_gateway_failure') ?? 0,
  };
}
