export { generateCluster, generateInboundCluster, type ClusterView } from './cluster.generator';
export { generateEndpoints, parseLocality, type EndpointsView } from './endpoint.generator';
export { generateApiListener, generateInboundListener, generateOutboundListener } from './listener.generator';
export { generateGrpcRouteConfig, generateOutboundRouteConfig } from './route-config.generator';
export { generateVirtualHost, virtualHostDomains, type VirtualHostView } from './virtual-host.generator';
export { generateRoutes, type RouteContext, type RouteView } from './http-route';
export { defaultHttpRoute } from './default-route';
export { DEFAULT_RETRY } from './retry-policy';
export { scopeOfKind, type GeneratorScope } from './generator-scope';
