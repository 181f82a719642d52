import type { HeaderOps, HttpMatch, HttpRoute } from '@weft/api';
import type { GeneratorScope } from './generator-scope';
import { liveDestinations, routeAction, type RouteTargets } from './route-action';
import { directResponse, redirect } from './route-redirect';
import { routeMatch } from './route-match';
import { faultPerFilterConfig, headerMutations } from './route-extras';

/** One VirtualService http route with the clusters its destinations and mirrors resolved to. */
export interface RouteView extends RouteTargets {
  readonly route: HttpRoute;
}

/** The client the routes are built for: source conditions (`sourceLabels`, `sourceNamespace`) and `port` are decided here. */
export interface RouteContext {
  readonly scope: GeneratorScope;
  /** The virtual host's service port. */
  readonly port: number;
  readonly sourceNamespace: string;
  readonly sourceLabels: Readonly<Record<string, string>>;
}

/**
 * VirtualService http routes → envoy.config.route.v3.Route[] in order (first match wins): one Envoy
 * route per match entry (entries are ORed), a route without matches matches everything. Entries whose
 * port or source conditions exclude this client are left out. gRPC clients get forwarding routes only.
 */
export function generateRoutes(views: readonly RouteView[], ctx: RouteContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const view of views) {
    if (ctx.scope === 'grpc' && (view.route.redirect !== null || view.route.directResponse !== null)) continue;
    const matches = view.route.match.length === 0 ? [null] : view.route.match.filter((m) => appliesTo(m, ctx));
    for (const m of matches) out.push(route(view, m, ctx));
  }
  return out;
}

function appliesTo(m: HttpMatch, ctx: RouteContext): boolean {
  if (m.port !== null && m.port !== ctx.port) return false;
  if (m.sourceNamespace !== null && m.sourceNamespace !== ctx.sourceNamespace) return false;
  for (const key in m.sourceLabels) if (ctx.sourceLabels[key] !== m.sourceLabels[key]) return false;
  return true;
}

function route(view: RouteView, m: HttpMatch | null, ctx: RouteContext): Record<string, unknown> {
  const r = view.route;
  const out: Record<string, unknown> = {};
  if (r.name !== null) out.name = m?.name ? `${r.name}.${m.name}` : r.name;
  out.match = routeMatch(m);
  if (r.redirect !== null) out.redirect = redirect(r.redirect);
  else if (r.directResponse !== null) out.direct_response = directResponse(r.directResponse);
  else out.route = routeAction(r, view, ctx.scope);
  if (ctx.scope === 'sidecar') Object.assign(out, headerMutations(...routeHeaders(r)));
  const fault = faultPerFilterConfig(r.fault);
  if (fault !== null) out.typed_per_filter_config = fault;
  return out;
}

/** Route-level header operations; a lone destination's own operations join them (as Istio does). */
function routeHeaders(r: HttpRoute): [HeaderOps, HeaderOps] {
  const live = r.redirect === null && r.directResponse === null ? liveDestinations(r) : [];
  if (live.length !== 1) return [r.headers.request, r.headers.response];
  const d = r.route[live[0]].headers;
  return [mergeOps(r.headers.request, d.request), mergeOps(r.headers.response, d.response)];
}

function mergeOps(a: HeaderOps, b: HeaderOps): HeaderOps {
  return { set: { ...a.set, ...b.set }, add: { ...a.add, ...b.add }, remove: [...a.remove, ...b.remove] };
}
