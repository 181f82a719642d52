import type { RouteActionModel, RouteConfigModel, RouteModel, VirtualHostModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { bool, has, msg, msgs, str, strs, type ProtoMessage } from '../proto/proto-value';
import { headerMutations } from './common.converter';
import { perFilterConfig } from './http-filters.converter';
import { retryPolicy } from './retry-policy.converter';
import { directResponseAction, forwardAction, redirectAction } from './route-action.converter';
import { routeMatch } from './route-match.converter';

/**
 * envoy.config.route.v3.RouteConfiguration. With `validate_clusters: false` the cluster references
 * are not recorded for the bootstrap's existence check (Envoy then answers 503 at request time).
 * `vhds` (virtual hosts from the ADS stream, on demand) is recorded in ctx.dynamicRefs.
 */
export function routeConfig(m: ProtoMessage, path: string, ctx: ConfigContext): RouteConfigModel {
  const refsBefore = ctx.clusterRefs.length;
  const vhPath = fieldPath(path, 'virtual_hosts');
  const virtualHosts = msgs(m, 'virtual_hosts').map((vh, i) => virtualHost(vh, indexPath(vhPath, i), ctx));
  checkDomains(virtualHosts, vhPath, ctx);
  if (bool(m, 'validate_clusters') === false) ctx.clusterRefs.length = refsBefore;
  const vhds = msg(m, 'vhds');
  if (vhds !== null) {
    if (!has(msg(vhds, 'config_source') ?? {}, 'ads')) {
      ctx.issue(fieldPath(path, 'vhds.config_source'), 'must be an ADS config source (config_source: { ads: {} }); other config sources are not supported by weft-proxy');
    }
    ctx.dynamicRefs.push({ kind: 'vhds', name: str(m, 'name'), owner: str(m, 'name'), path: fieldPath(path, 'vhds') });
  }
  return { name: str(m, 'name'), virtualHosts, mutations: headerMutations(m, path, ctx) };
}

/** envoy.config.route.v3.VirtualHost: inside a route configuration, or alone (a VHDS resource). */
export function virtualHost(m: ProtoMessage, path: string, ctx: ConfigContext): VirtualHostModel {
  const retry = msg(m, 'retry_policy');
  const routesPath = fieldPath(path, 'routes');
  const domains = strs(m, 'domains').map((d) => d.toLowerCase());
  domains.forEach((d, j) => checkDomainForm(d, indexPath(fieldPath(path, 'domains'), j), ctx));
  return {
    name: str(m, 'name'),
    domains,
    routes: msgs(m, 'routes').map((r, i) => route(r, indexPath(routesPath, i), ctx)),
    mutations: headerMutations(m, path, ctx),
    retryPolicy: retry === null ? null : retryPolicy(retry, fieldPath(path, 'retry_policy'), ctx),
    perFilter: perFilterConfig(m, path, ctx),
  };
}

function route(m: ProtoMessage, path: string, ctx: ConfigContext): RouteModel {
  return {
    name: str(m, 'name'),
    match: routeMatch(msg(m, 'match') ?? {}, fieldPath(path, 'match'), ctx),
    action: routeAction(m, path, ctx),
    mutations: headerMutations(m, path, ctx),
    perFilter: perFilterConfig(m, path, ctx),
  };
}

function routeAction(m: ProtoMessage, path: string, ctx: ConfigContext): RouteActionModel {
  const forward = msg(m, 'route');
  if (forward !== null) return forwardAction(forward, fieldPath(path, 'route'), ctx);
  const redirect = msg(m, 'redirect');
  if (redirect !== null) return redirectAction(redirect);
  return directResponseAction(msg(m, 'direct_response') ?? {}, fieldPath(path, 'direct_response'), ctx);
}

/** Envoy: a wildcard only alone, leading or trailing. */
function checkDomainForm(domain: string, path: string, ctx: ConfigContext): void {
  const stars = domain.split('*').length - 1;
  const wildcardOk = stars === 0 || domain === '*' || (stars === 1 && (domain.startsWith('*') || domain.endsWith('*')));
  if (!wildcardOk) ctx.issue(path, `invalid wildcard domain "${domain}": "*" only alone, as a prefix or as a suffix`);
}

/** Envoy: domains unique across the route configuration. */
function checkDomains(virtualHosts: readonly VirtualHostModel[], path: string, ctx: ConfigContext): void {
  const seen = new Map<string, string>();
  virtualHosts.forEach((vh, i) => {
    vh.domains.forEach((domain, j) => {
      const dpath = indexPath(fieldPath(indexPath(path, i), 'domains'), j);
      const other = seen.get(domain);
      if (other !== undefined) ctx.issue(dpath, `duplicate domain "${domain}" (also in virtual host "${other}")`);
      seen.set(domain, vh.name);
    });
  });
}
