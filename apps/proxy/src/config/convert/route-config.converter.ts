import type { RouteActionModel, RouteConfigModel, RouteModel, VirtualHostModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { bool, msg, msgs, str, strs, type ProtoMessage } from '../proto/proto-value';
import { headerMutations } from './common.converter';
import { perFilterConfig } from './http-filters.converter';
import { retryPolicy } from './retry-policy.converter';
import { directResponseAction, forwardAction, redirectAction } from './route-action.converter';
import { routeMatch } from './route-match.converter';

/**
 * envoy.config.route.v3.RouteConfiguration. With `validate_clusters: false` the cluster references
 * are not recorded for the bootstrap's existence check (Envoy then answers 503 at request time).
 */
export function routeConfig(m: ProtoMessage, path: string, ctx: ConfigContext): RouteConfigModel {
  const refsBefore = ctx.clusterRefs.length;
  const vhPath = fieldPath(path, 'virtual_hosts');
  const virtualHosts = msgs(m, 'virtual_hosts').map((vh, i) => virtualHost(vh, indexPath(vhPath, i), ctx));
  checkDomains(virtualHosts, vhPath, ctx);
  if (bool(m, 'validate_clusters') === false) ctx.clusterRefs.length = refsBefore;
  return { name: str(m, 'name'), virtualHosts, mutations: headerMutations(m, path, ctx) };
}

function virtualHost(m: ProtoMessage, path: string, ctx: ConfigContext): VirtualHostModel {
  const retry = msg(m, 'retry_policy');
  const routesPath = fieldPath(path, 'routes');
  return {
    name: str(m, 'name'),
    domains: strs(m, 'domains').map((d) => d.toLowerCase()),
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
  return directResponseAction(msg(m, 'direct_response') ?? {});
}

/** Envoy: domains unique across the route configuration; a wildcard only alone, leading or trailing. */
function checkDomains(virtualHosts: readonly VirtualHostModel[], path: string, ctx: ConfigContext): void {
  const seen = new Map<string, string>();
  virtualHosts.forEach((vh, i) => {
    vh.domains.forEach((domain, j) => {
      const dpath = indexPath(fieldPath(indexPath(path, i), 'domains'), j);
      const stars = domain.split('*').length - 1;
      const wildcardOk = stars === 0 || domain === '*' || (stars === 1 && (domain.startsWith('*') || domain.endsWith('*')));
      if (!wildcardOk) ctx.issue(dpath, `invalid wildcard domain "${domain}": "*" only alone, as a prefix or as a suffix`);
      const other = seen.get(domain);
      if (other !== undefined) ctx.issue(dpath, `duplicate domain "${domain}" (also in virtual host "${other}")`);
      seen.set(domain, vh.name);
    });
  });
}
