import type {
  DirectResponseActionModel,
  ForwardActionModel,
  HashPolicyModel,
  MirrorPolicyModel,
  RedirectActionModel,
  WeightedClusterModel,
} from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { bool, enumName, has, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { headerMutations, regexOf, runtimeFraction, timeoutMs } from './common.converter';
import { retryPolicy } from './retry-policy.converter';

/** Envoy's route timeout when absent. */
const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

const NO_MUTATIONS = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] };

/** envoy.config.route.v3.RouteAction. Route idle_timeout: null = inherit the HCM's, 0 = disabled. */
export function forwardAction(m: ProtoMessage, path: string, ctx: ConfigContext): ForwardActionModel {
  const clusters = targetClusters(m, path, ctx);
  const rewrite = msg(m, 'regex_rewrite');
  const retry = msg(m, 'retry_policy');
  return {
    kind: 'route',
    clusters,
    totalWeight: clusters.reduce((sum, c) => sum + c.weight, 0),
    prefixRewrite: has(m, 'prefix_rewrite') ? str(m, 'prefix_rewrite') : null,
    regexRewrite: rewrite === null ? null : regexRewrite(rewrite, fieldPath(path, 'regex_rewrite'), ctx),
    hostRewriteLiteral: has(m, 'host_rewrite_literal') ? str(m, 'host_rewrite_literal') : null,
    timeoutMs: timeoutMs(m, 'timeout', DEFAULT_ROUTE_TIMEOUT_MS),
    idleTimeoutMs: num(m, 'idle_timeout'),
    retryPolicy: retry === null ? null : retryPolicy(retry, fieldPath(path, 'retry_policy'), ctx),
    mirrors: msgs(m, 'request_mirror_policies').map((p, i) => mirror(p, indexPath(fieldPath(path, 'request_mirror_policies'), i), ctx)),
    hashPolicy: msgs(m, 'hash_policy').map((p, i) => hashPolicy(p, indexPath(fieldPath(path, 'hash_policy'), i), ctx)),
    upgradeWebsocket: routeUpgrade(m, fieldPath(path, 'upgrade_configs'), ctx),
  };
}

function targetClusters(m: ProtoMessage, path: string, ctx: ConfigContext): WeightedClusterModel[] {
  const weighted = msg(m, 'weighted_clusters');
  if (weighted === null) {
    addClusterRef(str(m, 'cluster'), fieldPath(path, 'cluster'), ctx);
    return [{ name: str(m, 'cluster'), weight: 1, mutations: NO_MUTATIONS }];
  }
  const wpath = fieldPath(path, 'weighted_clusters.clusters');
  const clusters = msgs(weighted, 'clusters').map((c, i) => {
    const cpath = indexPath(wpath, i);
    if (str(c, 'name') === '') ctx.issue(fieldPath(cpath, 'name'), 'required');
    addClusterRef(str(c, 'name'), fieldPath(cpath, 'name'), ctx);
    return { name: str(c, 'name'), weight: num(c, 'weight') ?? 0, mutations: headerMutations(c, cpath, ctx) };
  });
  if (clusters.length > 0 && clusters.every((c) => c.weight === 0)) ctx.issue(wpath, 'the weights must sum to more than 0');
  return clusters;
}

/** Recorded for the bootstrap's cross-resource check (an empty name is already reported). */
export function addClusterRef(cluster: string, path: string, ctx: ConfigContext): void {
  if (cluster !== '') ctx.clusterRefs.push({ cluster, path });
}

function regexRewrite(m: ProtoMessage, path: string, ctx: ConfigContext): { pattern: string; substitution: string } {
  const pattern = regexOf(msg(m, 'pattern') ?? {}, fieldPath(path, 'pattern'), ctx);
  return { pattern, substitution: str(m, 'substitution') };
}

function mirror(m: ProtoMessage, path: string, ctx: ConfigContext): MirrorPolicyModel {
  const cluster = str(m, 'cluster');
  if (cluster === '') ctx.issue(fieldPath(path, 'cluster'), 'required');
  addClusterRef(cluster, fieldPath(path, 'cluster'), ctx);
  return { cluster, fraction: runtimeFraction(msg(m, 'runtime_fraction'), 1) };
}

function hashPolicy(m: ProtoMessage, path: string, ctx: ConfigContext): HashPolicyModel {
  const terminal = bool(m, 'terminal') ?? false;
  const header = msg(m, 'header');
  if (header !== null) return { kind: 'header', name: str(header, 'header_name').toLowerCase(), terminal };
  const cookie = msg(m, 'cookie');
  if (cookie !== null) return { kind: 'cookie', name: str(cookie, 'name'), terminal };
  const query = msg(m, 'query_parameter');
  if (query !== null) return { kind: 'query_parameter', name: str(query, 'name'), terminal };
  const props = msg(m, 'connection_properties') ?? {};
  if (bool(props, 'source_ip') !== true) ctx.issue(fieldPath(path, 'connection_properties.source_ip'), 'must be true');
  return { kind: 'source_ip', terminal };
}

/** Route-level upgrade_configs: null when websocket is not mentioned (the HCM's setting applies). */
export function routeUpgrade(m: ProtoMessage, path: string, ctx: ConfigContext): boolean | null {
  let websocket: boolean | null = null;
  msgs(m, 'upgrade_configs').forEach((u, i) => {
    if (str(u, 'upgrade_type').toLowerCase() !== 'websocket') {
      ctx.issue(fieldPath(indexPath(path, i), 'upgrade_type'), 'only websocket upgrades are supported by weft-proxy');
    }
    websocket = bool(u, 'enabled') ?? true;
  });
  return websocket;
}

const REDIRECT_CODES: Readonly<Record<string, number>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

/** envoy.config.route.v3.RedirectAction (https_redirect: true is scheme_redirect "https"). */
export function redirectAction(m: ProtoMessage): RedirectActionModel {
  const scheme = bool(m, 'https_redirect') === true ? 'https' : has(m, 'scheme_redirect') ? str(m, 'scheme_redirect') : null;
  return {
    kind: 'redirect',
    schemeRedirect: scheme,
    hostRedirect: has(m, 'host_redirect') ? str(m, 'host_redirect') : null,
    portRedirect: num(m, 'port_redirect'),
    pathRedirect: has(m, 'path_redirect') ? str(m, 'path_redirect') : null,
    prefixRewrite: has(m, 'prefix_rewrite') ? str(m, 'prefix_rewrite') : null,
    responseCode: REDIRECT_CODES[enumName(m, 'response_code', 'MOVED_PERMANENTLY')] ?? 301,
    stripQuery: bool(m, 'strip_query') ?? false,
  };
}

/** envoy.config.route.v3.DirectResponseAction. */
export function directResponseAction(m: ProtoMessage, path: string, ctx: ConfigContext): DirectResponseActionModel {
  const body = msg(m, 'body');
  if (body !== null && has(body, 'filename')) ctx.issue(fieldPath(path, 'body.filename'), 'not supported by weft-proxy (use inline_string)');
  return { kind: 'direct_response', status: num(m, 'status') ?? 200, body: body === null ? null : str(body, 'inline_string') };
}
