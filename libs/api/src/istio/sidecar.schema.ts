import { z } from 'zod';
import {
  dns1123Label,
  DNS_LABEL,
  fail,
  ipAddress,
  istioProtocol,
  type IstioProtocol,
  isWildcardDomain,
  labelsSelector,
  portNumber,
  unsupported,
} from './common.schema';

/** `networking.istio.io` Sidecar `spec`. */

export type CaptureMode = 'DEFAULT' | 'IPTABLES' | 'NONE';

export interface SidecarPort {
  number: number;
  protocol: IstioProtocol | null;
  name: string | null;
}

/**
 * One `namespace/dnsName` entry of `egress[].hosts`. `namespace` is `*` (any), `.` (the Sidecar's
 * own) or a namespace name. `exclude` (a `~` prefix, Istio ≥ 1.31) subtracts the hosts it selects from
 * what the other entries import; a bare `~` stands for `*`, so `~/*` imports nothing.
 */
export interface SidecarHost {
  exclude: boolean;
  namespace: string;
  /** `*`, `*.example.com` or an FQDN / short name. */
  dnsName: string;
}

export interface SidecarEgress {
  /** null = the catch-all listener (every port of the selected hosts). */
  port: SidecarPort | null;
  bind: string | null;
  captureMode: CaptureMode;
  hosts: SidecarHost[];
}

export interface SidecarIngress {
  port: SidecarPort;
  bind: string | null;
  captureMode: CaptureMode;
  /** `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT`, `[::]:PORT`, `:PORT` or `unix:///path`; null = the app's own port. */
  defaultEndpoint: string | null;
}

export interface Sidecar {
  /** `workloadSelector.labels`; null = every workload of the namespace. */
  workloadSelector: Record<string, string> | null;
  ingress: SidecarIngress[];
  egress: SidecarEgress[];
  /** null = the mesh default (Istio: ALLOW_ANY). `{}` means REGISTRY_ONLY (the enum's zero value). */
  outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' | 'ALLOW_ANY' } | null;
}

const HOST_FORM = 'host must be of form namespace/dnsName (./reviews, */*.example.com, istio-system/*, ~prod/*)';

export const sidecarHost = z.string().transform((host, ctx): SidecarHost => {
  const slash = host.indexOf('/');
  const nsPart = slash < 0 ? '' : host.slice(0, slash);
  const dnsName = slash < 0 ? '' : host.slice(slash + 1);
  const exclude = nsPart.startsWith('~');
  const ns = exclude ? nsPart.slice(1) : nsPart;
  const nsOk = ns === '*' || ns === '.' || DNS_LABEL.test(ns) || (exclude && ns === '');
  if (slash < 0 || !nsOk || dnsName === '' || !isWildcardDomain(dnsName)) {
    ctx.issues.push({ code: 'custom', input: host, message: `${JSON.stringify(host)}: ${HOST_FORM}` });
    return z.NEVER;
  }
  return { exclude, namespace: ns === '' ? '*' : ns, dnsName };
});

const captureMode = z.enum(['DEFAULT', 'IPTABLES', 'NONE']).optional();

const sidecarPort = z
  .strictObject({
    number: portNumber,
    protocol: istioProtocol.optional(),
    name: dns1123Label.optional(),
    targetPort: unsupported('targetPort has no impact on Sidecars'),
  })
  .transform((p): SidecarPort => ({ number: p.number, protocol: p.protocol ?? null, name: p.name ?? null }));

const egress = z
  .strictObject({
    port: sidecarPort.optional(),
    bind: ipAddress.optional(),
    captureMode,
    hosts: z.array(sidecarHost).min(1, 'egress listener must contain at least one host'),
  })
  .transform((e): SidecarEgress => ({ port: e.port ?? null, bind: e.bind ?? null, captureMode: e.captureMode ?? 'DEFAULT', hosts: e.hosts }));

function defaultEndpointProblem(endpoint: string): string | null {
  if (endpoint.startsWith('unix://')) return endpoint.length > 8 && endpoint[7] === '/' ? null : 'defaultEndpoint unix:// needs an absolute path';
  const m = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]|):(\d{1,5})$/.exec(endpoint);
  const port = m === null ? 0 : Number(m[2]);
  if (port >= 1 && port <= 65535) return null;
  return 'defaultEndpoint must be of form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port>, :<port> or unix:///path';
}

const ingress = z
  .strictObject({
    port: sidecarPort,
    bind: ipAddress.optional(),
    captureMode,
    defaultEndpoint: z
      .string()
      .superRefine((e, ctx) => {
        const problem = defaultEndpointProblem(e);
        if (problem !== null) fail(ctx, problem);
      })
      .optional(),
    tls: unsupported('ingress tls is not supported yet (the mesh terminates mTLS itself)'),
    connectionPool: unsupported('ingress connectionPool is not supported yet'),
  })
  .transform(
    (i): SidecarIngress => ({
      port: i.port,
      bind: i.bind ?? null,
      captureMode: i.captureMode ?? 'DEFAULT',
      defaultEndpoint: i.defaultEndpoint || null,
    }),
  );

function checkListeners(s: { ingress?: SidecarIngress[] | undefined; egress?: SidecarEgress[] | undefined }, ctx: z.RefinementCtx): void {
  const egressList = s.egress ?? [];
  egressList.forEach((e, i) => {
    if (e.port === null && i !== egressList.length - 1) {
      fail(ctx, 'the egress listener with empty port should be the last listener in the list', ['egress', i, 'port']);
    }
    if (e.port !== null && egressList.findIndex((o) => o.port?.number === e.port?.number) !== i) {
      fail(ctx, 'ports on IP bound listeners must be unique', ['egress', i, 'port', 'number']);
    }
  });
  const ingressList = s.ingress ?? [];
  ingressList.forEach((l, i) => {
    if (ingressList.findIndex((o) => o.port.number === l.port.number) !== i) {
      fail(ctx, 'ports on IP bound listeners must be unique', ['ingress', i, 'port', 'number']);
    }
  });
}

export const sidecarSpec = z
  .strictObject({
    workloadSelector: labelsSelector.optional(),
    ingress: z.array(ingress).optional(),
    egress: z.array(egress).optional(),
    outboundTrafficPolicy: z
      .strictObject({
        mode: z.enum(['REGISTRY_ONLY', 'ALLOW_ANY']).optional(),
        egressProxy: unsupported('outboundTrafficPolicy.egressProxy is not supported yet'),
      })
      .optional(),
    inboundConnectionPool: unsupported('inboundConnectionPool is not supported yet'),
  })
  .superRefine((s, ctx) => {
    if (!s.ingress?.length && !s.egress?.length && !s.outboundTrafficPolicy) fail(ctx, 'sidecar: empty configuration provided');
    checkListeners(s, ctx);
  })
  .transform(
    (s): Sidecar => ({
      workloadSelector: s.workloadSelector ?? null,
      ingress: s.ingress ?? [],
      egress: s.egress ?? [],
      outboundTrafficPolicy: s.outboundTrafficPolicy ? { mode: s.outboundTrafficPolicy.mode ?? 'REGISTRY_ONLY' } : null,
    }),
  );
