import { z } from 'zod';
import { dns1123Label, fail, isWildcardDomain, labelMap, portNumber, uint32 } from './common.schema';

/** `networking.istio.io` WorkloadEntry `spec`; also the shape of a ServiceEntry's `endpoints[]`. */

export interface WorkloadEntry {
  /** An IP address, a DNS name (DNS resolution), or `unix:///absolute/path`. */
  address: string;
  /** Service port name → the workload's port number. */
  ports: Record<string, number>;
  labels: Record<string, string>;
  network: string | null;
  /** `region/zone/subzone`. */
  locality: string | null;
  /** Load-balancing weight; 0 or absent → 1. */
  weight: number;
  serviceAccount: string | null;
}

export const UNIX_PREFIX = 'unix://';

export type AddressKind = 'ip' | 'unix' | 'dns';

export function addressKind(address: string): AddressKind | null {
  if (address.startsWith(UNIX_PREFIX)) return address.length > UNIX_PREFIX.length + 1 && address[UNIX_PREFIX.length] === '/' ? 'unix' : null;
  if (z.ipv4().or(z.ipv6()).safeParse(address).success) return 'ip';
  return isWildcardDomain(address) && !address.includes('*') ? 'dns' : null;
}

export const workloadEntrySpec = z
  .strictObject({
    address: z.string().min(1, 'address is required (workloads reachable only through a network gateway are not supported)'),
    ports: z.record(dns1123Label, portNumber).optional(),
    labels: labelMap.optional(),
    network: z.string().optional(),
    locality: z.string().max(2048).optional(),
    weight: uint32.optional(),
    serviceAccount: z.string().optional(),
  })
  .superRefine((we, ctx) => {
    const kind = addressKind(we.address);
    if (kind === null) {
      fail(ctx, `${JSON.stringify(we.address)} must be an IP address, a DNS name or unix:///absolute/path`, ['address']);
    }
    if (kind === 'unix' && Object.keys(we.ports ?? {}).length > 0) {
      fail(ctx, `unix endpoint ${we.address} must not include ports`, ['ports']);
    }
  })
  .transform(
    (we): WorkloadEntry => ({
      address: we.address,
      ports: we.ports ?? {},
      labels: we.labels ?? {},
      network: we.network || null,
      locality: we.locality || null,
      weight: we.weight || 1,
      serviceAccount: we.serviceAccount || null,
    }),
  );
