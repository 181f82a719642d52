import { z } from 'zod';
import {
  dns1123Label,
  exportTo,
  fail,
  ipOrCidr,
  istioHost,
  istioProtocol,
  type IstioProtocol,
  isWildcardDomain,
  labelsSelector,
  portNumber,
} from './common.schema';
import { addressKind, workloadEntrySpec, type WorkloadEntry } from './workload-entry.schema';

/** `networking.istio.io` ServiceEntry `spec`. */

export interface ServiceEntryPort {
  number: number;
  /** null = not declared (Istio sniffs the protocol). */
  protocol: IstioProtocol | null;
  name: string;
  /** null = the same number as `number`. */
  targetPort: number | null;
}

export type ServiceEntryResolution = 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';

export interface ServiceEntry {
  hosts: string[];
  /** IPs or CIDR blocks (virtual IPs of the service). */
  addresses: string[];
  ports: ServiceEntryPort[];
  /** Default MESH_EXTERNAL. */
  location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  /** Default NONE. */
  resolution: ServiceEntryResolution;
  endpoints: WorkloadEntry[];
  /** `workloadSelector.labels`; null = endpoints are the `endpoints` list. */
  workloadSelector: Record<string, string> | null;
  /** Default `["*"]`. */
  exportTo: string[];
  subjectAltNames: string[];
}

const servicePort = z.strictObject({
  number: portNumber,
  protocol: istioProtocol.optional(),
  name: dns1123Label,
  targetPort: portNumber.optional(),
});

const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'] as const;
const RESOLUTION_HINT = `resolution must be one of ${RESOLUTIONS.join(', ')} (DYNAMIC_DNS is not supported)`;

const serviceEntryInput = z.strictObject({
  hosts: z.array(istioHost({ allowStar: false, allowIp: false })),
  addresses: z.array(ipOrCidr).optional(),
  ports: z.array(servicePort).optional(),
  location: z.enum(['MESH_EXTERNAL', 'MESH_INTERNAL']).optional(),
  resolution: z.enum(RESOLUTIONS, { error: RESOLUTION_HINT }).optional(),
  endpoints: z.array(workloadEntrySpec).optional(),
  workloadSelector: labelsSelector.optional(),
  exportTo: exportTo({ allowTilde: true }).optional(),
  subjectAltNames: z.array(z.string()).optional(),
});
type ServiceEntryInput = z.output<typeof serviceEntryInput>;
type Issue = { path: (string | number)[]; message: string };
const issue = (message: string, ...path: (string | number)[]): Issue => ({ path, message });

function portProblems(se: ServiceEntryInput): Issue[] {
  const issues: Issue[] = [];
  const ports = se.ports ?? [];
  ports.forEach((p, i) => {
    if (ports.findIndex((q) => q.name === p.name) !== i) issues.push(issue(`service entry port name ${p.name} already defined`, 'ports', i, 'name'));
    if (ports.findIndex((q) => q.number === p.number) !== i) issues.push(issue(`service entry port ${p.number} already defined`, 'ports', i, 'number'));
  });
  const multiHostL4 = (se.resolution ?? 'NONE') !== 'NONE' && se.hosts.length > 1;
  const l4 = ports.findIndex((p) => !['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTPS', 'TLS'].includes(p.protocol ?? ''));
  if (multiHostL4 && l4 >= 0) issues.push(issue('multiple hosts provided with non-HTTP, non-TLS ports', 'ports', l4, 'protocol'));
  return issues;
}

function endpointProblems(se: ServiceEntryInput): Issue[] {
  const issues: Issue[] = [];
  const resolution = se.resolution ?? 'NONE';
  const portNames = new Set((se.ports ?? []).map((p) => p.name));
  const endpoints = se.endpoints ?? [];
  if (resolution === 'NONE' && endpoints.length > 0) issues.push(issue('no endpoints should be provided for resolution type NONE', 'endpoints'));
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
    issues.push(issue('there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN', 'endpoints'));
  }
  endpoints.forEach((ep, i) => {
    if (resolution === 'STATIC' && addressKind(ep.address) === 'dns') {
      issues.push(issue(`endpoint address ${JSON.stringify(ep.address)} is not a valid IP address (resolution STATIC)`, 'endpoints', i, 'address'));
    }
    for (const name of Object.keys(ep.ports)) {
      if (!portNames.has(name)) issues.push(issue(`endpoint port ${name} is not defined by the service entry`, 'endpoints', i, 'ports', name));
    }
  });
  return issues;
}

function entryProblems(se: ServiceEntryInput): Issue[] {
  const issues: Issue[] = [];
  const resolution = se.resolution ?? 'NONE';
  if (se.hosts.length === 0) issues.push(issue('service entry must have at least one host', 'hosts'));
  if (se.workloadSelector && se.endpoints) issues.push(issue('only one of workloadSelector or endpoints is allowed in a ServiceEntry', 'workloadSelector'));
  const cidr = (se.addresses ?? []).findIndex((a) => a.includes('/'));
  if (cidr >= 0 && resolution !== 'NONE' && resolution !== 'STATIC') {
    issues.push(issue('CIDR addresses are allowed only for NONE/STATIC resolution types', 'addresses', cidr));
  }
  const dns = resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN';
  const wildcard = se.hosts.findIndex((h) => h.includes('*') || !isWildcardDomain(h));
  if (dns && (se.endpoints?.length ?? 0) === 0 && wildcard >= 0) {
    issues.push(issue(`hosts must be FQDN (no wildcard) if no endpoints are provided for resolution mode ${resolution}`, 'hosts', wildcard));
  }
  return issues;
}

export const serviceEntrySpec = serviceEntryInput
  .superRefine((se, ctx) => {
    for (const { message, path } of [...entryProblems(se), ...portProblems(se), ...endpointProblems(se)]) fail(ctx, message, path);
  })
  .transform(
    (se): ServiceEntry => ({
      hosts: se.hosts,
      addresses: se.addresses ?? [],
      ports: (se.ports ?? []).map((p) => ({
        number: p.number,
        protocol: p.protocol ?? null,
        name: p.name,
        targetPort: p.targetPort ?? null,
      })),
      location: se.location ?? 'MESH_EXTERNAL',
      resolution: se.resolution ?? 'NONE',
      endpoints: se.endpoints ?? [],
      workloadSelector: se.workloadSelector ?? null,
      exportTo: se.exportTo ?? ['*'],
      subjectAltNames: se.subjectAltNames ?? [],
    }),
  );
