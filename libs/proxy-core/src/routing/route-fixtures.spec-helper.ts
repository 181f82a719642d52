/**
 * Model builders for the routing specs (test-only; not exported from the package index).
 */
import type {
  ForwardActionModel,
  HeaderMatcherModel,
  HeaderMutationsModel,
  HeaderValueOption,
  QueryParameterMatcherModel,
  RouteActionModel,
  RouteConfigModel,
  RouteMatchModel,
  RouteModel,
  StringMatcherModel,
  VirtualHostModel,
} from '../model/config-model';
import type { RouteRequest } from './route-request';

export const NO_MUTATIONS: HeaderMutationsModel = {
  requestHeadersToAdd: [],
  requestHeadersToRemove: [],
  responseHeadersToAdd: [],
  responseHeadersToRemove: [],
};

export function mutations(m: Partial<HeaderMutationsModel>): HeaderMutationsModel {
  return { ...NO_MUTATIONS, ...m };
}

export function hv(name: string, value: string, append = false): HeaderValueOption {
  return { name, value, append };
}

export function str(kind: StringMatcherModel['kind'], value: string, ignoreCase = false): StringMatcherModel {
  return { kind, value, ignoreCase };
}

export function header(name: string, match: StringMatcherModel | null, opts: Partial<HeaderMatcherModel> = {}): HeaderMatcherModel {
  return { name, match, presentMatch: true, invert: false, treatMissingAsEmpty: false, ...opts };
}

export function query(name: string, match: StringMatcherModel | null = null): QueryParameterMatcherModel {
  return { name, match };
}

export function forward(clusters: string | ReadonlyArray<readonly [string, number]>, extra: Partial<ForwardActionModel> = {}): ForwardActionModel {
  const list = typeof clusters === 'string' ? [[clusters, 1] as const] : clusters;
  return {
    kind: 'route',
    clusters: list.map(([name, weight]) => ({ name, weight, mutations: NO_MUTATIONS })),
    totalWeight: list.reduce((sum, [, w]) => sum + w, 0),
    prefixRewrite: null,
    regexRewrite: null,
    hostRewriteLiteral: null,
    timeoutMs: null,
    idleTimeoutMs: null,
    retryPolicy: null,
    mirrors: [],
    hashPolicy: [],
    upgradeWebsocket: null,
    ...extra,
  };
}

export interface RouteOpts {
  readonly caseSensitive?: boolean;
  readonly headers?: readonly HeaderMatcherModel[];
  readonly queryParameters?: readonly QueryParameterMatcherModel[];
  readonly grpc?: boolean;
  readonly action?: RouteActionModel;
  readonly mutations?: HeaderMutationsModel;
}

export function route(name: string, path: RouteMatchModel['path'], opts: RouteOpts = {}): RouteModel {
  return {
    name,
    match: {
      path,
      caseSensitive: opts.caseSensitive ?? true,
      headers: opts.headers ?? [],
      queryParameters: opts.queryParameters ?? [],
      grpc: opts.grpc ?? false,
    },
    action: opts.action ?? forward(name),
    mutations: opts.mutations ?? NO_MUTATIONS,
    perFilter: { fault: null, localRateLimit: null },
  };
}

export const prefix = (value: string): RouteMatchModel['path'] => ({ kind: 'prefix', value });
export const exact = (value: string): RouteMatchModel['path'] => ({ kind: 'path', value });
export const regex = (value: string): RouteMatchModel['path'] => ({ kind: 'safe_regex', value });
export const separated = (value: string): RouteMatchModel['path'] => ({ kind: 'path_separated_prefix', value });

export function vhost(name: string, domains: readonly string[], routes: readonly RouteModel[], m = NO_MUTATIONS): VirtualHostModel {
  return { name, domains, routes, mutations: m, retryPolicy: null, perFilter: { fault: null, localRateLimit: null } };
}

export function routeConfig(virtualHosts: readonly VirtualHostModel[], m = NO_MUTATIONS): RouteConfigModel {
  return { name: 'rc', virtualHosts, mutations: m };
}

export function request(r: Partial<RouteRequest> = {}): RouteRequest {
  return { method: 'GET', authority: 'svc', path: '/', scheme: 'http', headers: {}, ...r };
}
