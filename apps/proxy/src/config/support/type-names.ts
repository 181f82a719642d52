/** Fully qualified names of the message types the converters dispatch on. */
export const TYPE = {
  bootstrap: 'envoy.config.bootstrap.v3.Bootstrap',
  listener: 'envoy.config.listener.v3.Listener',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  virtualHost: 'envoy.config.route.v3.VirtualHost',
  cluster: 'envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  httpConnectionManager: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  fault: 'envoy.extensions.filters.http.fault.v3.HTTPFault',
  localRateLimit: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  rbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  upstreamHttpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  previousHostsPredicate: 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
  struct: 'google.protobuf.Struct',
} as const;

/** Key of the upstream HTTP options in Cluster.typed_extension_protocol_options. */
export const UPSTREAM_HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Our load-balancing policy extension (see docs/proxy-config.md). */
export const PEAK_EWMA_POLICY_NAME = 'weft.load_balancing_policies.peak_ewma';
