import { TYPE_URL, type EncodedResource } from '@weft/xds';
import { generateCluster, generateInboundCluster } from '../generators/cluster.generator';
import { generateEndpoints } from '../generators/endpoint.generator';
import { scopeOfKind } from '../generators/generator-scope';
import { clusterTls } from './mesh-identity';
import type { MeshPort, MeshService } from './mesh-service';
import type { ResourceCache } from './resource-cache';
import { parseInboundClusterName, parseOutboundClusterName } from './resource-names';
import { DEFAULT_POLICY, destinationRuleOf, type RuleLookup } from './rule-views';
import type { ServiceStore } from './service-store';
import type { ProxyNode } from './xds-contract';

interface ClusterTarget {
  readonly service: MeshService;
  readonly port: MeshPort;
  readonly subset: string;
  /** The subset's labels; null for the whole service. */
  readonly labels: Readonly<Record<string, string>> | null;
}

/**
 * Clusters (CDS) and their endpoints (EDS), by Istio name. An outbound name exists when its host is a
 * service's canonical host, the port one of its ports and the subset '' or defined by the host's
 * DestinationRule. Endpoints do not depend on the client (every client kind needs IP literals), so
 * one ClusterLoadAssignment per name is shared by all.
 */
export class ClusterResources {
  constructor(
    private readonly services: ServiceStore,
    private readonly rules: () => RuleLookup,
    private readonly cache: ResourceCache,
    private readonly trustDomain: string,
  ) {}

  cluster(node: ProxyNode, name: string): EncodedResource | null {
    const scope = scopeOfKind(node.kind);
    const inboundPort = parseInboundClusterName(name);
    if (inboundPort !== null) {
      if (scope === 'grpc' || node.appPort !== inboundPort) return null;
      return this.cache.get(TYPE_URL.cluster, name, 'inbound', () => generateInboundCluster(name, inboundPort));
    }
    return this.cache.get(TYPE_URL.cluster, name, scope, () => {
      const t = this.target(name);
      if (t === null) return null;
      const policy = destinationRuleOf(this.rules(), t.service)?.clusterPolicy(t.port.number, t.subset) ?? DEFAULT_POLICY;
      // Proxyless gRPC clients get no transport socket (their xDS security needs certificate providers).
      const tls = scope === 'sidecar' ? clusterTls(t.service, t.port.number, t.subset, t.labels, policy.tls, this.trustDomain) : null;
      return generateCluster({ name, port: t.port, policy, scope, tls });
    });
  }

  endpoints(name: string): EncodedResource | null {
    return this.cache.get(TYPE_URL.clusterLoadAssignment, name, '', () => {
      const t = this.target(name);
      if (t === null) return null;
      return generateEndpoints({ clusterName: name, port: t.port, endpoints: t.service.endpoints, subsetLabels: t.labels });
    });
  }

  private target(name: string): ClusterTarget | null {
    const parsed = parseOutboundClusterName(name);
    if (parsed === null) return null;
    const service = this.services.byHost(parsed.host);
    if (service === null || service.fqdn !== parsed.host) return null;
    const port = service.port(parsed.port);
    if (port === null) return null;
    if (parsed.subset === '') return { service, port, subset: '', labels: null };
    const labels = destinationRuleOf(this.rules(), service)?.subsetLabels(parsed.subset) ?? null;
    return labels === null ? null : { service, port, subset: parsed.subset, labels };
  }
}
