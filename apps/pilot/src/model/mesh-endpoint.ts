import { isIP } from 'node:net';
import type { Instance } from '@weft/api';

export type EndpointStatus = 'healthy' | 'unhealthy' | 'draining';

/**
 * One endpoint of a service as the generators need it: a registry instance, a ServiceEntry endpoint
 * or a WorkloadEntry, stripped of everything else (timestamps, metadata) to keep the model small.
 * `ports` maps a service port name to the endpoint's port (absent: the service port's number).
 */
export class MeshEndpoint {
  readonly ipLiteral: boolean;

  constructor(
    readonly address: string,
    readonly ports: Readonly<Record<string, number>>,
    readonly labels: Readonly<Record<string, string>>,
    readonly weight: number,
    /** `region/zone/subzone` or null. */
    readonly locality: string | null,
    readonly status: EndpointStatus,
    /** The workload's service account (its SPIFFE identity); null: the service's name. */
    readonly serviceAccount: string | null = null,
  ) {
    this.ipLiteral = isIP(address) !== 0;
  }

  /** The service account: instance metadata `serviceAccount`, else the label of that name. */
  static fromInstance(i: Instance): MeshEndpoint {
    const sa = i.metadata['serviceAccount'] ?? i.labels['serviceAccount'] ?? null;
    return new MeshEndpoint(i.address, i.ports, i.labels, i.weight, i.locality ?? null, i.status, sa === '' ? null : sa);
  }

  /** The port serving `portName` (a service port), falling back to the service port's number. */
  portFor(portName: string, servicePort: number): number {
    return this.ports[portName] ?? servicePort;
  }

  /** Whether every label of `selector` is set to the same value here. */
  hasLabels(selector: Readonly<Record<string, string>>): boolean {
    for (const key in selector) if (this.labels[key] !== selector[key]) return false;
    return true;
  }

  equals(other: MeshEndpoint): boolean {
    return (
      this.address === other.address &&
      this.weight === other.weight &&
      this.locality === other.locality &&
      this.status === other.status &&
      this.serviceAccount === other.serviceAccount &&
      sameRecord(this.ports, other.ports) &&
      sameRecord(this.labels, other.labels)
    );
  }
}

export function sameEndpoints(a: readonly MeshEndpoint[], b: readonly MeshEndpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!a[i].equals(b[i])) return false;
  return true;
}

function sameRecord<V>(a: Readonly<Record<string, V>>, b: Readonly<Record<string, V>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}
