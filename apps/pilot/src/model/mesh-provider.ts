import { TYPE_URL, type EncodedResource, type TypeUrl } from '@weft/xds';
import { generateInboundListener, generateOutboundListener } from '../generators/listener.generator';
import { generateRbacFilters, withHttpFilters } from '../generators/rbac.generator';
import { generateOutboundRouteConfig } from '../generators/route-config.generator';
import type { ClusterResources } from './cluster-resources';
import { inboundClusterName, INBOUND, OUTBOUND, outboundClusterName, virtualHostName } from './resource-names';
import type { RouteResources } from './route-resources';
import type { ResourceCache } from './resource-cache';
import { destinationRuleOf, type RuleLookup } from './rule-views';
import { sidecarEgress } from './sidecar-scope';
import type { ServiceStore } from './service-store';
import type { ProxyNode, ResourceProvider } from './xds-contract';

/**
 * The ResourceProvider the xDS server reads: dispatches by type and client kind to the cached
 * resource builders, and computes wildcard name sets (cached per Sidecar and namespace until a
 * service or rule change may alter them).
 */
export class MeshProvider implements ResourceProvider {
  private readonly wildcards = new Map<string, readonly string[]>();

  constructor(
    private readonly services: ServiceStore,
    private readonly rules: () => RuleLookup,
    private readonly cache: ResourceCache,
    private readonly clusters: ClusterResources,
    private readonly routes: RouteResources,
  ) {}

  resource(typeUrl: TypeUrl, node: ProxyNode, name: string): EncodedResource | null {
    const grpc = node.kind === 'grpc';
    switch (typeUrl) {
      case TYPE_URL.listener:
        return grpc ? this.routes.grpcListener(node, name) : this.sidecarListener(node, name);
      case TYPE_URL.routeConfiguration:
        if (grpc) return this.routes.grpcRouteConfig(node, name);
        return name === OUTBOUND ? this.cache.get(typeUrl, name, 'sidecar', generateOutboundRouteConfig) : null;
      case TYPE_URL.virtualHost:
        return this.routes.virtualHost(node, name);
      case TYPE_URL.cluster:
        return this.clusters.cluster(node, name);
      case TYPE_URL.clusterLoadAssignment:
        return this.clusters.endpoints(name);
      default:
        return null;
    }
  }

  /**
   * Sidecars: LDS `outbound` (+ `inbound` with an app port); CDS the inbound cluster plus the clusters
   * of the Sidecar egress scope, EDS and VHDS that scope's. No Sidecar applies: nothing beyond the
   * inbound cluster; the proxy asks for hosts on demand. gRPC clients name everything explicitly.
   */
  wildcardNames(typeUrl: TypeUrl, node: ProxyNode): readonly string[] {
    if (node.kind === 'grpc' || typeUrl === TYPE_URL.routeConfiguration) return [];
    if (typeUrl === TYPE_URL.listener) return node.appPort === null ? [OUTBOUND] : [OUTBOUND, INBOUND];
    const sidecar = this.rules().sidecar(node.namespace, node.labels);
    const key = `${typeUrl}|${sidecar?.key ?? ''}|${node.namespace}|${typeUrl === TYPE_URL.cluster ? node.appPort : ''}`;
    let names = this.wildcards.get(key);
    if (names === undefined) {
      names = sidecar === null ? [] : this.scopedNames(typeUrl, sidecarEgress(sidecar, node.namespace, this.services));
      if (typeUrl === TYPE_URL.cluster && node.appPort !== null) names = [inboundClusterName(node.appPort), ...names];
      this.wildcards.set(key, names);
    }
    return names;
  }

  /** A service or rule change may have changed wildcard sets: recompute on next request. */
  invalidateWildcards(): void {
    this.wildcards.clear();
  }

  private scopedNames(typeUrl: TypeUrl, scoped: ReturnType<typeof sidecarEgress>): string[] {
    const names: string[] = [];
    for (const { service, port } of scoped) {
      if (typeUrl === TYPE_URL.virtualHost) {
        names.push(virtualHostName(service.fqdn, port));
        continue;
      }
      const subsets = destinationRuleOf(this.rules(), service)?.subsetNames ?? [];
      for (const subset of ['', ...subsets]) names.push(outboundClusterName(port, subset, service.fqdn));
    }
    return names;
  }

  private sidecarListener(node: ProxyNode, name: string): EncodedResource | null {
    if (name === OUTBOUND) {
      return this.cache.get(TYPE_URL.listener, name, `${node.outboundPort}`, () => generateOutboundListener(node.outboundPort));
    }
    if (name !== INBOUND || node.appPort === null) return null;
    const appPort = node.appPort;
    const mtls = this.rules().inboundMtlsMode(node.namespace, node.labels, appPort);
    const authz = this.rules().authorizationPolicies(node.namespace, node.labels);
    const scope = `${node.inboundPort}|${appPort}|${mtls}|${authz.map((p) => p.key).join(',')}`;
    return this.cache.get(TYPE_URL.listener, name, scope, () =>
      withHttpFilters(generateInboundListener(node.inboundPort, appPort, mtls), generateRbacFilters(authz)),
    );
  }
}
