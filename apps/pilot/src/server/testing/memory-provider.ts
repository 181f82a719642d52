import { TYPE_URL, encodeResource, type EncodedResource, type TypeUrl } from '@weft/xds';
import type { MeshChange, ProxyNode, ResourceProvider } from '../../model/xds-contract';

/**
 * In-memory twin of pilot's model for tests of the xDS server: resources are set per type and name
 * (encoded once, like the model caches them) and every mutation returns the MeshChange the model
 * would emit. Counts provider calls so tests can check the work done per push.
 */
export class MemoryResourceProvider implements ResourceProvider {
  private readonly byType: Map<TypeUrl, Map<string, EncodedResource>>;
  /** Optional per-node filter of wildcard names (a Sidecar-like scope). */
  scope: ((node: ProxyNode, typeUrl: TypeUrl, name: string) => boolean) | null;
  resourceCalls: number;
  wildcardCalls: number;

  constructor() {
    this.byType = new Map();
    this.scope = null;
    this.resourceCalls = 0;
    this.wildcardCalls = 0;
  }

  wildcardNames(typeUrl: TypeUrl, node: ProxyNode): readonly string[] {
    this.wildcardCalls += 1;
    const names = [...(this.byType.get(typeUrl)?.keys() ?? [])];
    const scope = this.scope;
    return scope === null ? names : names.filter((name) => scope(node, typeUrl, name));
  }

  resource(typeUrl: TypeUrl, _node: ProxyNode, name: string): EncodedResource | null {
    this.resourceCalls += 1;
    return this.byType.get(typeUrl)?.get(name) ?? null;
  }

  /** Sets a resource from its protobufjs object form; returns the change to feed to the server. */
  set(typeUrl: TypeUrl, name: string, object: Record<string, unknown>): MeshChange {
    let resources = this.byType.get(typeUrl);
    if (resources === undefined) {
      resources = new Map();
      this.byType.set(typeUrl, resources);
    }
    const existed = resources.has(name);
    resources.set(name, encodeResource(typeUrl, name, object));
    return change(typeUrl, [name], !existed);
  }

  delete(typeUrl: TypeUrl, name: string): MeshChange {
    this.byType.get(typeUrl)?.delete(name);
    return change(typeUrl, [name], true);
  }

  get(typeUrl: TypeUrl, name: string): EncodedResource | null {
    return this.byType.get(typeUrl)?.get(name) ?? null;
  }

  version(typeUrl: TypeUrl, name: string): string | null {
    return this.get(typeUrl, name)?.version ?? null;
  }

  cluster(name: string, connectTimeoutSeconds = 1): MeshChange {
    return this.set(TYPE_URL.cluster, name, clusterObject(name, connectTimeoutSeconds));
  }

  endpoints(name: string, ips: readonly string[]): MeshChange {
    return this.set(TYPE_URL.clusterLoadAssignment, name, endpointsObject(name, ips));
  }

  listener(name: string, port: number): MeshChange {
    return this.set(TYPE_URL.listener, name, listenerObject(name, port));
  }

  route(name: string, cluster: string): MeshChange {
    return this.set(TYPE_URL.routeConfiguration, name, routeObject(name, cluster));
  }
}

export function change(typeUrl: TypeUrl, names: readonly string[], wildcard: boolean, seenAt: number = Date.now()): MeshChange {
  return {
    resources: new Map([[typeUrl, new Set(names)]]),
    wildcard: new Set(wildcard ? [typeUrl] : []),
    seenAt,
  };
}

export function clusterObject(name: string, connectTimeoutSeconds: number): Record<string, unknown> {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    lb_policy: 'ROUND_ROBIN',
    connect_timeout: { seconds: connectTimeoutSeconds },
  };
}

export function endpointsObject(name: string, ips: readonly string[]): Record<string, unknown> {
  return {
    cluster_name: name,
    endpoints: [
      {
        locality: { zone: 'z1' },
        load_balancing_weight: { value: 1 },
        lb_endpoints: ips.map((ip) => ({ endpoint: { address: { socket_address: { address: ip, port_value: 8080 } } }, health_status: 'HEALTHY' })),
      },
    ],
  };
}

export function listenerObject(name: string, port: number): Record<string, unknown> {
  return { name, address: { socket_address: { address: '0.0.0.0', port_value: port } } };
}

export function routeObject(name: string, cluster: string): Record<string, unknown> {
  return {
    name,
    virtual_hosts: [{ name, domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
  };
}
