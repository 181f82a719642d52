import { z } from 'zod';
import {
  dns1123Label,
  exportTo,
  fail,
  ipOrCidr,
  istioHost,
  labelMap,
  meshGateways,
  percent,
  portNumber,
  unsupported,
} from './common.schema';
import { positiveDurationMs } from './duration';
import { defaultHttpRetry, httpFault, httpMirrorPolicy, httpRetry } from './http-policy.schema';
import {
  authorityRewrites,
  destination,
  emptyHeaderOperations,
  headerOperations,
  httpDirectResponse,
  httpMatch,
  httpRedirect,
  httpRewrite,
  httpRouteDestinations,
  routeDestinations,
} from './http-route.schema';
import type { HttpMirror, HttpRoute, L4Match, TcpRoute, VirtualService } from './virtual-service.types';

/** `networking.istio.io` VirtualService `spec`, for sidecars (the `mesh` gateway) only. */

const httpRouteInput = z.strictObject({
  name: z.string().optional(),
  match: z.array(httpMatch).optional(),
  route: httpRouteDestinations.optional(),
  redirect: httpRedirect.optional(),
  directResponse: httpDirectResponse.optional(),
  delegate: unsupported('delegate is not supported: write the routes in this VirtualService'),
  rewrite: httpRewrite.optional(),
  timeout: positiveDurationMs.optional(),
  retries: httpRetry.optional(),
  fault: httpFault.optional(),
  mirror: destination.optional(),
  mirrors: z.array(httpMirrorPolicy).optional(),
  mirrorPercent: z.number().int().min(0).max(100, 'mirrorPercent must have a max value of 100').optional(),
  mirrorPercentage: percent.optional(),
  corsPolicy: unsupported('corsPolicy is not supported yet'),
  headers: headerOperations.optional(),
});
type HttpRouteInput = z.output<typeof httpRouteInput>;

/** Istio `validateHTTPRouteConflict`: one action per route, and what cannot go with it. */
function routeConflicts(r: HttpRouteInput): string[] {
  const hasRoute = (r.route?.length ?? 0) > 0;
  const problems: string[] = [];
  if (r.redirect) {
    if (hasRoute) problems.push('HTTP route cannot contain both route and redirect');
    if (r.fault) problems.push('HTTP route cannot contain both fault and redirect');
    if (r.rewrite) problems.push('HTTP route cannot contain both rewrite and redirect');
    if (r.directResponse) problems.push('HTTP route cannot contain both directResponse and redirect');
  } else if (r.directResponse) {
    if (hasRoute) problems.push('HTTP route cannot contain both route and directResponse');
    if (r.fault) problems.push('HTTP route cannot contain both fault and directResponse');
    if (r.rewrite) problems.push('HTTP route cannot contain both rewrite and directResponse');
  } else if (!hasRoute) {
    problems.push('HTTP route needs one of route, redirect or directResponse');
  }
  if (r.mirror && (r.mirrors?.length ?? 0) > 0) problems.push('HTTP route cannot contain both mirror and mirrors');
  if (authorityRewrites(r.headers, r.rewrite?.authority ?? undefined) > 1) problems.push('the authority may be rewritten in one place only');
  return problems;
}

function checkHttpRoute(r: HttpRouteInput, ctx: z.RefinementCtx): void {
  for (const message of routeConflicts(r)) fail(ctx, message);
  if (r.redirect?.prefixRewrite) {
    (r.match ?? []).forEach((m, i) => {
      if (m.uri !== null && m.uri.kind !== 'prefix') {
        fail(ctx, 'redirect prefixRewrite requires all uri matches to use prefix', ['match', i, 'uri']);
      }
    });
  }
}

/** `mirror` (+ `mirrorPercentage`, or the deprecated `mirrorPercent`) and `mirrors[]` → one list. */
function mirrorsOf(r: HttpRouteInput): HttpMirror[] {
  if (r.mirror) return [{ destination: r.mirror, percentage: r.mirrorPercentage ?? r.mirrorPercent ?? 100 }];
  return r.mirrors ?? [];
}

export const httpRoute = httpRouteInput.superRefine(checkHttpRoute).transform(
  (r): HttpRoute => ({
    name: r.name ?? null,
    match: r.match ?? [],
    route: r.route ?? [],
    redirect: r.redirect ?? null,
    directResponse: r.directResponse ?? null,
    rewrite: r.rewrite ?? null,
    timeoutMs: r.timeout ?? null,
    retries: r.retries ?? defaultHttpRetry(),
    fault: r.fault ?? null,
    mirrors: mirrorsOf(r),
    headers: r.headers ?? emptyHeaderOperations(),
  }),
);

const l4Match = z
  .strictObject({
    destinationSubnets: z.array(ipOrCidr).optional(),
    port: portNumber.optional(),
    sourceLabels: labelMap.optional(),
    gateways: meshGateways.optional(),
    sourceNamespace: dns1123Label.optional(),
    sourceSubnet: ipOrCidr.optional(),
  })
  .transform(
    (m): L4Match => ({
      destinationSubnets: m.destinationSubnets ?? [],
      port: m.port ?? null,
      sourceLabels: m.sourceLabels ?? {},
      sourceNamespace: m.sourceNamespace ?? null,
      sourceSubnet: m.sourceSubnet ?? null,
    }),
  );

export const tcpRoute = z
  .strictObject({ match: z.array(l4Match).optional(), route: routeDestinations.optional() })
  .superRefine((r, ctx) => {
    if ((r.route?.length ?? 0) === 0) fail(ctx, 'TCP route is required', ['route']);
  })
  .transform((r): TcpRoute => ({ match: r.match ?? [], route: r.route ?? [] }));

export const virtualServiceSpec = z
  .strictObject({
    hosts: z.array(
      istioHost({ allowStar: false, allowIp: true, starMessage: 'wildcard host * is not allowed for virtual services bound to the mesh gateway' }),
    ),
    gateways: meshGateways.optional(),
    http: z.array(httpRoute).optional(),
    tcp: z.array(tcpRoute).optional(),
    tls: unsupported('tls routes (SNI routing) are not supported yet: route TLS traffic with tcp routes'),
    exportTo: exportTo({ allowTilde: false }).optional(),
  })
  .superRefine((vs, ctx) => {
    if (vs.hosts.length === 0) fail(ctx, 'a VirtualService needs at least one host', ['hosts']);
    vs.hosts.forEach((h, i) => {
      if (vs.hosts.indexOf(h) !== i) fail(ctx, `duplicate host ${h}`, ['hosts', i]);
    });
    if ((vs.http?.length ?? 0) + (vs.tcp?.length ?? 0) === 0) {
      fail(ctx, 'http or tcp routes must be provided in a VirtualService');
    }
  })
  .transform((vs): VirtualService => ({ hosts: vs.hosts, exportTo: vs.exportTo ?? ['*'], http: vs.http ?? [], tcp: vs.tcp ?? [] }));
