import { TYPE_URL, type EncodedResource, type TypeUrl } from '@weft/xds';
import { generateRoutes } from '../generators/http-route';
import { generateApiListener } from '../generators/listener.generator';
import { generateGrpcRouteConfig } from '../generators/route-config.generator';
import { generateVirtualHost } from '../generators/virtual-host.generator';
import type { GeneratorScope } from '../generators/generator-scope';
import { isRelativeHost, parseAuthority } from './host-names';
import type { MeshService } from './mesh-service';
import type { RequestedNames } from './requested-names';
import type { ResourceCache } from './resource-cache';
import { VHDS_PREFIX } from './resource-names';
import { type RuleLookup, virtualServiceOf } from './rule-views';
import { routeViews } from './route-views';
import type { ServiceStore } from './service-store';
import type { ProxyNode } from './xds-contract';

interface Target {
  /** What the client asked for, lowercase (`reviews:9080`, `reviews`). */
  readonly authority: string;
  readonly service: MeshService | null;
  readonly port: number;
  /** Cache scope: what of the node the answer depends on. */
  readonly scope: string;
}

/**
 * On-demand, authority-named resources: sidecars' VHDS virtual hosts `outbound/<authority>` and gRPC
 * clients' listeners and route configurations `<host>:<port>`. A name resolves like the client's DNS
 * would (short names in the client's namespace); every name asked for is recorded under its host so a
 * later change of that host reaches it, even when it resolved to nothing at first.
 */
export class RouteResources {
  constructor(
    private readonly services: ServiceStore,
    private readonly rules: () => RuleLookup,
    private readonly cache: ResourceCache,
    private readonly requested: RequestedNames,
  ) {}

  virtualHost(node: ProxyNode, name: string): EncodedResource | null {
    if (node.kind === 'grpc' || !name.startsWith(VHDS_PREFIX)) return null;
    const target = this.target(TYPE_URL.virtualHost, node, name, name.slice(VHDS_PREFIX.length), 80);
    if (target === null) return null;
    return this.cache.get(TYPE_URL.virtualHost, name, target.scope, () => this.buildVirtualHost(node, target, 'sidecar'));
  }

  grpcListener(node: ProxyNode, name: string): EncodedResource | null {
    const target = this.target(TYPE_URL.listener, node, name, name, null);
    if (target === null) return null;
    return this.cache.get(TYPE_URL.listener, name, `grpc|${target.scope}`, () => (this.exists(target) ? generateApiListener(name) : null));
  }

  grpcRouteConfig(node: ProxyNode, name: string): EncodedResource | null {
    const target = this.target(TYPE_URL.routeConfiguration, node, name, name, null);
    if (target === null) return null;
    return this.cache.get(TYPE_URL.routeConfiguration, name, `grpc|${target.scope}`, () => {
      const vhost = this.buildVirtualHost(node, target, 'grpc');
      return vhost === null ? null : generateGrpcRouteConfig(name, vhost);
    });
  }

  private target(typeUrl: TypeUrl, node: ProxyNode, name: string, authorityText: string, defaultPort: number | null): Target | null {
    const authority = parseAuthority(authorityText);
    if (authority === null) return null;
    const resolved = this.services.resolve(authority.host, node.namespace);
    this.requested.record(resolved.host, typeUrl, name);
    const service = resolved.service;
    const port = authority.port ?? defaultPort ?? (service !== null && service.ports.length === 1 ? service.ports[0].number : 80);
    const relative = isRelativeHost(authority.host) ? node.namespace : '';
    const same = service !== null && service.namespace === node.namespace;
    return { authority: authorityText.toLowerCase(), service, port, scope: `${relative}|${same ? 1 : 0}|${this.sourceKey(node, service)}` };
  }

  /** Non-empty only when the host's VirtualService has client-dependent matches. */
  private sourceKey(node: ProxyNode, service: MeshService | null): string {
    if (service === null || virtualServiceOf(this.rules(), service)?.sourceDependent !== true) return '';
    const labels = Object.keys(node.labels)
      .sort()
      .map((k) => `${k}=${node.labels[k]}`)
      .join(',');
    return `${node.namespace}|${labels}`;
  }

  private exists(target: Target): boolean {
    return target.service !== null && target.service.port(target.port) !== null;
  }

  private buildVirtualHost(node: ProxyNode, target: Target, scope: GeneratorScope): Record<string, unknown> | null {
    const service = target.service;
    if (service === null || service.port(target.port) === null) return null;
    const views = routeViews(this.services, this.rules(), service, target.port);
    const routes = generateRoutes(views, { scope, port: target.port, sourceNamespace: node.namespace, sourceLabels: node.labels });
    const sameNamespace = service.namespace === node.namespace;
    return generateVirtualHost({ hosts: service.hosts, port: target.port, sameNamespace, requested: target.authority, routes });
  }
}
