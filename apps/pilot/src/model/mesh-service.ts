import type { Instance, Protocol, Service } from '@weft/api';
import { serviceFqdn } from './host-names';
import { MeshEndpoint, sameEndpoints } from './mesh-endpoint';

export interface MeshPort {
  readonly name: string;
  readonly number: number;
  readonly protocol: Protocol;
}

/** Where a service comes from: the registry, or a ServiceEntry host (static endpoints). */
export type ServiceOrigin = 'registry' | 'service-entry';

/**
 * A service as the generators see it: hosts (the first is canonical, used in cluster names), ports and
 * endpoints. Immutable: a change replaces the object, so generators can keep references.
 */
export class MeshService {
  constructor(
    /** `ns/name` for registry services, `serviceentry:ns/<entry>/<host>` for ServiceEntry hosts. */
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    /** Lowercase; never empty; hosts[0] is the canonical fqdn. */
    readonly hosts: readonly string[],
    readonly ports: readonly MeshPort[],
    readonly endpoints: readonly MeshEndpoint[],
    readonly origin: ServiceOrigin,
  ) {}

  static fromRegistry(service: Service, instances: readonly Instance[]): MeshService {
    const hosts = service.hosts.length > 0 ? service.hosts.map((h) => h.toLowerCase()) : [serviceFqdn(service.namespace, service.name)];
    const ports = service.ports.map((p) => ({ name: p.name, number: p.number, protocol: p.protocol }));
    const sorted = [...instances].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return new MeshService(registryKey(service.namespace, service.name), service.namespace, service.name, hosts, ports, sorted.map(MeshEndpoint.fromInstance), 'registry');
  }

  get fqdn(): string {
    return this.hosts[0];
  }

  port(number: number): MeshPort | null {
    for (const p of this.ports) if (p.number === number) return p;
    return null;
  }

  withEndpoints(endpoints: readonly MeshEndpoint[]): MeshService {
    return new MeshService(this.key, this.namespace, this.name, this.hosts, this.ports, endpoints, this.origin);
  }

  /** Same hosts and ports (what clusters, routes and listeners depend on); endpoints not compared. */
  sameShape(other: MeshService): boolean {
    return sameList(this.hosts, other.hosts, (a, b) => a === b) && sameList(this.ports, other.ports, samePort);
  }

  sameEndpoints(other: MeshService): boolean {
    return sameEndpoints(this.endpoints, other.endpoints);
  }
}

export function registryKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function samePort(a: MeshPort, b: MeshPort): boolean {
  return a.name === b.name && a.number === b.number && a.protocol === b.protocol;
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}
