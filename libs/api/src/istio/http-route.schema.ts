import { z } from 'zod';
import {
  destinationHost,
  dns1123Label,
  fail,
  HEADER_NAME,
  keyedMatch,
  labelMap,
  meshGateways,
  portNumber,
  re2Regex,
  stringMatch,
  unsupported,
} from './common.schema';
import type {
  Destination,
  HeaderOperations,
  HeaderOps,
  HttpDirectResponse,
  HttpMatch,
  HttpRedirect,
  HttpRewrite,
  RouteDestination,
} from './virtual-service.types';

/** VirtualService pieces that describe where a request goes: destinations, matches, redirects, rewrites. */

export const destination = z
  .strictObject({
    host: destinationHost,
    subset: dns1123Label.optional(),
    port: z.strictObject({ number: portNumber }).optional(),
  })
  .transform((d): Destination => ({ host: d.host, subset: d.subset ?? null, port: d.port?.number ?? null }));

/** Header names an operation may touch: no pseudo-headers or `host`, except `:authority`/`host` in request set/add. */
function opHeaderName(allowAuthority: boolean) {
  return z.string().superRefine((name, ctx) => {
    const lower = name.toLowerCase();
    if (allowAuthority && (lower === ':authority' || lower === 'host')) return;
    if (lower.startsWith(':') || lower === 'host') fail(ctx, `header ${name} cannot be modified`);
    else if (!HEADER_NAME.test(name)) fail(ctx, `${JSON.stringify(name)} must be an HTTP header name`);
  });
}
const headerValue = z.string().refine((v) => !/[\r\n]/.test(v), 'header values must not contain CR or LF');

function lowerKeys<V>(record: Record<string, V> | undefined): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(record ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function headerOps(allowAuthority: boolean) {
  return z
    .strictObject({
      set: z.record(opHeaderName(allowAuthority), headerValue).optional(),
      add: z.record(opHeaderName(allowAuthority), headerValue).optional(),
      remove: z.array(opHeaderName(false)).optional(),
    })
    .transform(
      (o): HeaderOps => ({ set: lowerKeys(o.set), add: lowerKeys(o.add), remove: (o.remove ?? []).map((n) => n.toLowerCase()) }),
    );
}

export function emptyHeaderOperations(): HeaderOperations {
  return { request: { set: {}, add: {}, remove: [] }, response: { set: {}, add: {}, remove: [] } };
}

export const headerOperations = z
  .strictObject({ request: headerOps(true).optional(), response: headerOps(false).optional() })
  .transform((h): HeaderOperations => {
    const empty = emptyHeaderOperations();
    return { request: h.request ?? empty.request, response: h.response ?? empty.response };
  });

/** The authority may be rewritten in one place only (Istio `validateAuthorityRewrite`). */
export function authorityRewrites(headers: HeaderOperations | undefined, rewriteAuthority: string | undefined): number {
  const req = headers?.request;
  const fromHeaders = [req?.set, req?.add].filter((r) => r !== undefined && (':authority' in r || 'host' in r)).length;
  return fromHeaders + (rewriteAuthority ? 1 : 0);
}

const matchHeaderName = z.string().superRefine((name, ctx) => {
  if (name.startsWith('@request.auth.claims')) {
    fail(ctx, 'JWT claim based routing is only supported for gateways');
  } else if (!HEADER_NAME.test(name)) {
    fail(ctx, `${JSON.stringify(name)} must be an HTTP header name`);
  }
});

export const httpMatch = z
  .strictObject({
    name: z.string().optional(),
    uri: stringMatch({ allowEmptyPrefix: true }).optional(),
    scheme: stringMatch({ allowEmptyPrefix: false }).optional(),
    method: stringMatch({ allowEmptyPrefix: false }).optional(),
    authority: stringMatch({ allowEmptyPrefix: false }).optional(),
    headers: z.record(matchHeaderName, keyedMatch).optional(),
    withoutHeaders: z.record(matchHeaderName, keyedMatch).optional(),
    queryParams: z.record(z.string().min(1), keyedMatch).optional(),
    port: portNumber.optional(),
    sourceLabels: labelMap.optional(),
    gateways: meshGateways.optional(),
    sourceNamespace: dns1123Label.optional(),
    ignoreUriCase: z.boolean().optional(),
    statPrefix: unsupported('statPrefix is not supported: request metrics use Istio standard names'),
  })
  .transform(
    (m): HttpMatch => ({
      name: m.name ?? null,
      uri: m.uri ?? null,
      scheme: m.scheme ?? null,
      method: m.method ?? null,
      authority: m.authority ?? null,
      headers: lowerKeys(m.headers),
      withoutHeaders: lowerKeys(m.withoutHeaders),
      queryParams: m.queryParams ?? {},
      port: m.port ?? null,
      sourceLabels: m.sourceLabels ?? {},
      sourceNamespace: m.sourceNamespace ?? null,
      ignoreUriCase: m.ignoreUriCase ?? false,
    }),
  );

export const httpRedirect = z
  .strictObject({
    uri: z.string().optional(),
    authority: z.string().optional(),
    port: portNumber.optional(),
    derivePort: z.enum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']).optional(),
    scheme: z.enum(['http', 'https'], { error: 'invalid redirect scheme, must be "http" or "https"' }).optional(),
    redirectCode: z.number().int().min(300, 'redirectCode must be 3xx').max(399, 'redirectCode must be 3xx').optional(),
    prefixRewrite: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.uri && r.prefixRewrite) fail(ctx, 'redirect may only specify one of uri or prefixRewrite');
    if (r.port !== undefined && r.derivePort !== undefined) fail(ctx, 'redirect may only specify one of port or derivePort');
    if (!r.uri && !r.prefixRewrite && !r.authority && r.port === undefined && r.derivePort === undefined && !r.scheme) {
      fail(ctx, 'redirect must specify uri, prefixRewrite, authority, scheme, or port');
    }
  })
  .transform(
    (r): HttpRedirect => ({
      uri: r.uri || null,
      prefixRewrite: r.prefixRewrite || null,
      authority: r.authority || null,
      port: r.port ?? null,
      derivePort: r.derivePort ?? null,
      scheme: r.scheme ?? null,
      redirectCode: r.redirectCode ?? 301,
    }),
  );

const MAX_BODY_BYTES = 1024 * 1024;

function bodyOf(b: { string?: string | undefined; bytes?: string | undefined }): HttpDirectResponse['body'] {
  return b.string !== undefined ? { kind: 'string', value: b.string } : { kind: 'bytes', value: b.bytes ?? '' };
}

export const httpDirectResponse = z
  .strictObject({
    status: z.number().int().min(200, 'HTTP status must be in range 200-599').max(599, 'HTTP status must be in range 200-599'),
    body: z
      .strictObject({ string: z.string().optional(), bytes: z.base64('bytes must be base64').optional() })
      .superRefine((b, ctx) => {
        if ((b.string === undefined) === (b.bytes === undefined)) fail(ctx, 'body needs exactly one of string, bytes');
        const size = b.string !== undefined ? Buffer.byteLength(b.string) : ((b.bytes?.length ?? 0) * 3) / 4;
        if (size > MAX_BODY_BYTES) fail(ctx, 'direct response bodies must be less than 1MB');
      })
      .optional(),
  })
  .transform(
    (d): HttpDirectResponse => ({
      status: d.status,
      body: d.body === undefined ? null : bodyOf(d.body),
    }),
  );

export const httpRewrite = z
  .strictObject({
    uri: z.string().optional(),
    authority: z.string().optional(),
    uriRegexRewrite: z.strictObject({ match: re2Regex, rewrite: z.string().min(1, 'rewrite must not be empty') }).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.uri && r.uriRegexRewrite) fail(ctx, 'rewrite may only contain one of uri or uriRegexRewrite');
    if (!r.uri && !r.uriRegexRewrite && !r.authority) {
      fail(ctx, 'rewrite must specify at least one of uri, uriRegexRewrite, or authority');
    }
  })
  .transform((r): HttpRewrite => ({ uri: r.uri || null, authority: r.authority || null, uriRegexRewrite: r.uriRegexRewrite ?? null }));

const weight = z.number().int().min(0, 'weight must not be negative').max(2_147_483_647);

/** Istio: a lone destination takes all traffic; with several, weights are relative and must not all be 0. */
function checkWeights(list: readonly { weight?: number | undefined }[], ctx: z.RefinementCtx): void {
  if (list.length > 1 && list.every((d) => (d.weight ?? 0) === 0)) {
    fail(ctx, 'total destination weight = 0: give at least one destination a weight');
  }
}
function weightOf(list: readonly unknown[], w: number | undefined): number {
  return list.length === 1 ? 100 : (w ?? 0);
}

export const httpRouteDestinations = z
  .array(z.strictObject({ destination, weight: weight.optional(), headers: headerOperations.optional() }))
  .superRefine(checkWeights)
  .transform((list) =>
    list.map(
      (d): RouteDestination => ({
        destination: d.destination,
        weight: weightOf(list, d.weight),
        headers: d.headers ?? emptyHeaderOperations(),
      }),
    ),
  );

export const routeDestinations = z
  .array(z.strictObject({ destination, weight: weight.optional() }))
  .superRefine(checkWeights)
  .transform((list) => list.map((d) => ({ destination: d.destination, weight: weightOf(list, d.weight) })));
