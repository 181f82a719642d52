import { z } from 'zod';
import { labels } from '../registry/registry.schema';
import { re2Problem } from './re2';

/**
 * Building blocks shared by the Istio rule schemas: protobuf JSON conventions (UInt32Value as a plain
 * number, `Percent {value}`), Kubernetes names, Istio host names, StringMatch, and the marker for
 * Istio fields Weft recognises but rejects.
 */

/** Adds a custom issue (at `path` below the value being refined). */
export function fail(ctx: z.RefinementCtx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path });
}

/** An Istio field Weft knows but does not honour: present → an issue with `reason`; absent → fine. */
export function unsupported(reason: string) {
  return z.custom<never>(() => false, { message: reason }).optional();
}

export const uint32 = z.number().int().min(0).max(4_294_967_295);
export const int32 = z.number().int().min(0).max(2_147_483_647);
export const portNumber = z
  .number()
  .int()
  .min(1, 'port number must be in the range 1..65535')
  .max(65535, 'port number must be in the range 1..65535');

/** `Percent {value: 0..100}` → the number. */
export const percent = z
  .strictObject({ value: z.number().min(0, 'percentage must be ≥ 0').max(100, 'percentage must be ≤ 100') })
  .transform((p) => p.value);

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dns1123Label = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(DNS_LABEL, 'must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending alphanumeric)');
export const dns1123Subdomain = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")',
  );

export const labelMap = labels;

export const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IP address' });
export const ipOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be an IP address or a CIDR block' });

const HOST_HINT = 'must be a lowercase DNS name, optionally starting with "*." (reviews, reviews.prod.svc.cluster.local, *.example.com)';

/** Istio's `ValidateWildcardDomain`: DNS labels, a `*` only as the whole first label, no all-numeric TLD. */
export function isWildcardDomain(host: string): boolean {
  if (host.length === 0 || host.length > 255) return false;
  const parts = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  if (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1] as string)) return false;
  return parts.every((label, i) => (i === 0 && label === '*') || (label.length <= 63 && DNS_LABEL.test(label)));
}

/** A host in `hosts` / `host` fields; `*` alone only where `allowStar`. */
export function istioHost(opts: { allowStar: boolean; allowIp: boolean; starMessage?: string }) {
  return z.string().superRefine((host, ctx) => {
    if (host === '*' && !opts.allowStar) fail(ctx, opts.starMessage ?? `invalid host ${host}`);
    else if (!isWildcardDomain(host) && !(opts.allowIp && ipAddress.safeParse(host).success)) {
      fail(ctx, `${JSON.stringify(host)} ${HOST_HINT}`);
    }
  });
}

/** A destination host (Istio `validateDestination`): no bare `*`. */
export const destinationHost = istioHost({ allowStar: false, allowIp: false });

/** The only gateway Weft serves is the sidecar mesh. */
export const meshGateways = z.array(z.string()).superRefine((gateways, ctx) => {
  gateways.forEach((g, i) => {
    if (g !== 'mesh') fail(ctx, `gateways other than mesh are not supported (got ${JSON.stringify(g)})`, [i]);
  });
});

/** `exportTo`: `*` (everywhere, the default), `.` (own namespace), or namespace names. */
export function exportTo(opts: { allowTilde: boolean }) {
  return z
    .array(z.string())
    .superRefine((entries, ctx) => {
      entries.forEach((e, i) => {
        const ok = e === '*' || e === '.' || (opts.allowTilde && e === '~') || DNS_LABEL.test(e);
        if (!ok) fail(ctx, `${JSON.stringify(e)} must be "*", ".", or a namespace name`, [i]);
      });
      if (new Set(entries).size !== entries.length) fail(ctx, 'duplicate entries in exportTo');
      if (entries.includes('*') && entries.length > 1) fail(ctx, 'cannot have both public (*) and non-public exportTo values');
      if (entries.includes('~') && entries.length > 1) fail(ctx, 'cannot export to no one (~) and someone');
    })
    .transform((entries) => (entries.length === 0 ? ['*'] : entries));
}

/** A regex that both RE2 and JavaScript read the same way (see re2.ts). */
export const re2Regex = z.string().superRefine((pattern, ctx) => {
  const problem = pattern === '' ? 'regex must not be empty' : re2Problem(pattern);
  if (problem !== null) fail(ctx, problem);
});

export interface StringMatch {
  kind: 'exact' | 'prefix' | 'regex';
  /** For `regex`: RE2, matched against the WHOLE value (Envoy semantics); compile with `compileRe2`. */
  value: string;
}
/** Header / query parameter matches add presence: `{}` or `regex: "*"` means "is present" (Istio). */
export type KeyedMatch = StringMatch | { kind: 'present' };

const stringMatchInput = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: re2Regex.optional() })
  .superRefine((m, ctx) => {
    if ([m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length > 1) fail(ctx, 'set only one of exact, prefix, regex');
  });

function toStringMatch(m: z.output<typeof stringMatchInput>): StringMatch | null {
  if (m.exact !== undefined) return { kind: 'exact', value: m.exact };
  if (m.prefix !== undefined) return { kind: 'prefix', value: m.prefix };
  if (m.regex !== undefined) return { kind: 'regex', value: m.regex };
  return null;
}

/** uri/scheme/method/authority: one of exact|prefix|regex (`uri` alone may have an empty prefix). */
export function stringMatch(opts: { allowEmptyPrefix: boolean }) {
  return stringMatchInput
    .superRefine((m, ctx) => {
      if (m.exact === undefined && m.prefix === undefined && m.regex === undefined) fail(ctx, 'set one of exact, prefix, regex');
      if (m.prefix === '' && !opts.allowEmptyPrefix) fail(ctx, 'prefix string match should not be empty', ['prefix']);
    })
    .transform((m) => toStringMatch(m) as StringMatch);
}

/** headers / withoutHeaders / queryParams values; `regex: "*"` is Istio's presence match, not a regex. */
export const keyedMatch = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.union([z.literal('*'), re2Regex]).optional() })
  .superRefine((m, ctx) => {
    if ([m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length > 1) fail(ctx, 'set only one of exact, prefix, regex');
    if (m.prefix === '') fail(ctx, 'prefix string match should not be empty', ['prefix']);
  })
  .transform((m): KeyedMatch => (m.regex === '*' ? { kind: 'present' } : (toStringMatch(m) ?? { kind: 'present' })));

/** An HTTP header name (RFC 9110 token), compared lower-case as HTTP/2 and Node do. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const headerName = z.string().regex(HEADER_NAME, 'must be an HTTP header name');

/** Istio's protocol names (case-insensitive in Istio) → upper case. */
export const ISTIO_PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'TCP', 'TLS', 'MONGO', 'REDIS', 'MYSQL'] as const;
export type IstioProtocol = (typeof ISTIO_PROTOCOLS)[number];
export const istioProtocol = z.string().transform((p, ctx): IstioProtocol => {
  const upper = p.toUpperCase();
  if ((ISTIO_PROTOCOLS as readonly string[]).includes(upper)) return upper as IstioProtocol;
  const message = `unsupported protocol ${JSON.stringify(p)}: use one of ${ISTIO_PROTOCOLS.join(', ')}`;
  ctx.issues.push({ code: 'custom', input: p, message });
  return z.NEVER;
});

/** `WorkloadSelector {labels}` (Sidecar, ServiceEntry). */
export const labelsSelector = z.strictObject({ labels: labelMap.default({}) }).transform((s) => s.labels);
/** `istio.type.v1beta1.WorkloadSelector {matchLabels}` (DestinationRule). */
export const matchLabelsSelector = z.strictObject({ matchLabels: labelMap.default({}) }).transform((s) => s.matchLabels);
