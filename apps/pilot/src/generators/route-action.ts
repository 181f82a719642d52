import type { ConsistentHash, HttpRoute } from '@weft/api';
import type { GeneratorScope } from './generator-scope';
import { hashPolicy, headerMutations } from './route-extras';
import { retryPolicy } from './retry-policy';
import { duration, fractionalPercent } from './xds-values';

/** Where a route's traffic goes, resolved by the model: one cluster per destination and per mirror. */
export interface RouteTargets {
  /** Same order as `route.route`. */
  readonly clusters: readonly string[];
  /** Same order as `route.mirrors`. */
  readonly mirrorClusters: readonly string[];
  /** The first destination's consistent hash (its DestinationRule), or null. */
  readonly hash: ConsistentHash | null;
}

/**
 * HTTPRoute (forwarding) → envoy.config.route.v3.RouteAction: one `cluster`, or `weighted_clusters`
 * with Istio's relative weights (weight-0 destinations left out); timeout (none = disabled), retries,
 * hash policy; for sidecars also mirrors and rewrites (grpc-js-xds has neither).
 */
export function routeAction(route: HttpRoute, targets: RouteTargets, scope: GeneratorScope): Record<string, unknown> {
  const out: Record<string, unknown> = destinationClusters(route, targets, scope);
  if (scope === 'grpc') {
    if (route.timeoutMs !== null) out.max_stream_duration = { max_stream_duration: duration(route.timeoutMs) };
  } else {
    out.timeout = duration(route.timeoutMs ?? 0);
  }
  const retry = retryPolicy(route.retries, scope, targets.hash !== null);
  if (retry !== null) out.retry_policy = retry;
  const hash = hashPolicy(targets.hash, scope === 'grpc');
  if (hash.length > 0) out.hash_policy = hash;
  if (scope === 'sidecar') Object.assign(out, mirrorsAndRewrites(route, targets));
  return out;
}

/** The destinations that get traffic (weight > 0); a lone destination always does. */
export function liveDestinations(route: HttpRoute): number[] {
  if (route.route.length === 1) return [0];
  const live: number[] = [];
  route.route.forEach((d, i) => {
    if (d.weight > 0) live.push(i);
  });
  return live;
}

function destinationClusters(route: HttpRoute, targets: RouteTargets, scope: GeneratorScope): Record<string, unknown> {
  const live = liveDestinations(route);
  if (live.length === 1) return { cluster: targets.clusters[live[0]] };
  const clusters = live.map((i) => {
    const d = route.route[i];
    const entry: Record<string, unknown> = { name: targets.clusters[i], weight: { value: d.weight } };
    if (scope === 'sidecar') Object.assign(entry, headerMutations(d.headers.request, d.headers.response));
    return entry;
  });
  return { weighted_clusters: { clusters } };
}

function mirrorsAndRewrites(route: HttpRoute, targets: RouteTargets): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (route.mirrors.length > 0) {
    out.request_mirror_policies = route.mirrors.map((m, i) => ({
      cluster: targets.mirrorClusters[i],
      runtime_fraction: { default_value: fractionalPercent(m.percentage) },
    }));
  }
  const rw = route.rewrite;
  if (rw === null) return out;
  if (rw.uri !== null) out.prefix_rewrite = rw.uri;
  else if (rw.uriRegexRewrite !== null) out.regex_rewrite = { pattern: { regex: rw.uriRegexRewrite.match }, substitution: rw.uriRegexRewrite.rewrite };
  if (rw.authority !== null) out.host_rewrite_literal = rw.authority;
  return out;
}
