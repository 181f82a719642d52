import type { RouteConfigModel } from '../model/config-model';
import { compileRoute, CompiledRoute, CompiledVirtualHost } from './compiled-route';
import { buildDomainIndex, type DomainEntry, DomainIndex, lookupDomain } from './domain-index';
import { matchHeaders } from './header-matcher';
import type { MutationLevel } from './header-mutations';
import { matchLiteralPath, pathEndOf } from './path-matcher';
import { matchQueryParameters } from './query-matcher';
import type { RouteRequest } from './route-request';

/**
 * A route configuration compiled once (when RDS/bootstrap config is applied) and matched per
 * request with no allocation in the common case. The table is frozen; swap tables by reference.
 *
 * Matching (Envoy's RouteMatcher::route): pick the virtual host by :authority (see domain-index),
 * then the FIRST route, in configuration order, whose path, gRPC, header and query parameter
 * conditions all hold. Allocation happens only where the input forces it: an upper-case authority,
 * an authority retried without its port, a header sent several times (values joined), a safe_regex
 * path on a request with a query string (path sliced once per request), a regex on a query value.
 */
export interface RouteTableOptions {
  /**
   * Percent-decode query parameter names and values before matching. Envoy does NOT (it compares
   * them as sent); default false for Envoy fidelity.
   */
  readonly decodeQueryParameters?: boolean;
}

export class RouteTable {
  constructor(
    readonly name: string,
    readonly model: RouteConfigModel,
    readonly virtualHosts: readonly CompiledVirtualHost[],
    readonly domains: DomainIndex<CompiledVirtualHost>,
    readonly decodeQueryParameters: boolean,
  ) {}
}

/** Throws RouteCompileError (with the field path) for a configuration that cannot be served. */
export function compileRouteConfig(model: RouteConfigModel, options: RouteTableOptions = {}): RouteTable {
  const configLevel: MutationLevel = { mutations: model.mutations, path: 'mutations' };
  const domains: DomainEntry<CompiledVirtualHost>[] = [];
  const virtualHosts = model.virtualHosts.map((vhModel, v) => {
    const routes: CompiledRoute[] = [];
    const vh = Object.freeze(new CompiledVirtualHost(vhModel.name, vhModel, routes));
    const vhostLevel: MutationLevel = { mutations: vhModel.mutations, path: `virtualHosts.${v}.mutations` };
    vhModel.routes.forEach((routeModel, r) => {
      routes.push(compileRoute(routeModel, { path: `virtualHosts.${v}.routes.${r}`, virtualHost: vh, vhostLevel, configLevel }));
    });
    Object.freeze(routes);
    vhModel.domains.forEach((domain, d) => domains.push({ domain, value: vh, path: `virtualHosts.${v}.domains.${d}` }));
    return vh;
  });
  const index = Object.freeze(buildDomainIndex(domains));
  return Object.freeze(new RouteTable(model.name, model, Object.freeze(virtualHosts), index, options.decodeQueryParameters === true));
}

/** The route for `req`, or null (no virtual host, or no route in it, matches: a 404). */
export function matchRoute(table: RouteTable, req: RouteRequest): CompiledRoute | null {
  const vh = lookupDomain(table.domains, req.authority);
  return vh === null ? null : matchRouteIn(vh, req, table.decodeQueryParameters);
}

export function selectVirtualHost(table: RouteTable, authority: string): CompiledVirtualHost | null {
  return lookupDomain(table.domains, authority);
}

export function matchRouteIn(vh: CompiledVirtualHost, req: RouteRequest, decodeQuery: boolean): CompiledRoute | null {
  const path = req.path;
  const pathEnd = pathEndOf(path);
  const routes = vh.routes;
  let pathOnly: string | null = null;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const regex = route.path.regex;
    if (regex === null) {
      if (!matchLiteralPath(route.path, path, pathEnd)) continue;
    } else {
      if (pathOnly === null) pathOnly = pathEnd === path.length ? path : path.slice(0, pathEnd);
      if (!regex.test(pathOnly)) continue;
    }
    if (matchesConditions(route, req, decodeQuery)) return route;
  }
  return null;
}

function matchesConditions(route: CompiledRoute, req: RouteRequest, decodeQuery: boolean): boolean {
  if (route.grpc && !isGrpcRequest(req)) return false;
  if (route.headers.length !== 0 && !matchHeaders(route.headers, req)) return false;
  if (route.queryParameters.length === 0) return true;
  return matchQueryParameters(route.queryParameters, req.path, req.path.indexOf('?'), decodeQuery);
}

const GRPC = 'application/grpc';

/** Envoy's Grpc::Common::hasGrpcContentType: exactly application/grpc or application/grpc+… (not grpc-web). */
export function isGrpcRequest(req: RouteRequest): boolean {
  const header = req.headers['content-type'];
  const ct = typeof header === 'string' ? header : header === undefined ? '' : (header[0] ?? '');
  return ct.startsWith(GRPC) && (ct.length === GRPC.length || ct.charCodeAt(GRPC.length) === 43);
}
