import type { MessageSupport } from './support-matrix';
import { PEAK_EWMA_POLICY_NAME, TYPE } from './type-names';

const C = 'envoy.config.cluster.v3';
const DEPRECATED_HTTP = 'deprecated: use typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]';
const TLS = 'use transport_socket (one TLS socket for every endpoint)';
const SYSTEM_RESOLVER = 'DNS clusters use the system resolver (getaddrinfo, as /etc/resolv.conf and /etc/hosts say)';
const NOT_IMPLEMENTED_OD = 'only consecutive-5xx and consecutive-gateway-failure ejection are implemented';

/** Clusters, their load balancing, protocol options, circuit breakers, outlier detection, endpoints. */
export const CLUSTER_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  [TYPE.cluster]: {
    honoured: [
      'name',
      'type',
      'connect_timeout',
      'lb_policy',
      'least_request_lb_config',
      'ring_hash_lb_config',
      'maglev_lb_config',
      'common_lb_config',
      'load_balancing_policy',
      'typed_extension_protocol_options',
      'http2_protocol_options',
      'circuit_breakers',
      'outlier_detection',
      'load_assignment',
      'eds_cluster_config',
      'transport_socket',
      'dns_lookup_family',
      'dns_refresh_rate',
      'dns_failure_refresh_rate',
      'respect_dns_ttl',
      'wait_for_warm_on_init',
    ],
    ignored: ['alt_stat_name', 'metadata'],
    anyTypes: { typed_extension_protocol_options: [TYPE.upstreamHttpProtocolOptions] },
    notes: [
      '`type`: STATIC (IP endpoints in `load_assignment`), STRICT_DNS / LOGICAL_DNS (hostnames in `load_assignment`, resolved with the system resolver) or EDS (endpoints from the ADS stream: needs `--xds`; no `load_assignment`); ORIGINAL_DST is rejected',
      'STRICT_DNS: every address of every endpoint hostname is a host with that endpoint\'s weight, locality, priority and health; LOGICAL_DNS: exactly one endpoint, whose first address is the one host. No host until the first answer (503 UH); re-resolved every `dns_refresh_rate` (default 5 s); a failed lookup keeps the last hosts and is retried after `dns_failure_refresh_rate` (jittered back-off from `base_interval` to `max_interval`, default 10 × base) or `dns_refresh_rate`; an NXDOMAIN / no-data answer is an empty answer (no hosts), as in Envoy',
      '`dns_lookup_family` (default AUTO): AUTO — IPv6 addresses if there are any, else IPv4; V4_PREFERRED — the reverse; V4_ONLY / V6_ONLY; ALL — both, in resolver order',
      '`respect_dns_ttl`: only false (the system resolver reports no TTL); `wait_for_warm_on_init` (default true): `/ready` waits for the first resolution of the first config\'s DNS clusters; the DNS fields are rejected on STATIC and EDS clusters',
      '`lb_policy`: ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV (PEAK_EWMA via `load_balancing_policy`)',
      '`http2_protocol_options` (deprecated) means the upstream protocol is HTTP/2',
      '`transport_socket`: `envoy.transport_sockets.tls` (UpstreamTlsContext, mTLS with the workload SVID)',
    ],
    reasons: {
      transport_socket_matches: TLS,
      health_checks: 'active health checking is not supported (outlier detection is)',
      cluster_type: 'custom cluster types are not supported',
      lb_subset_config: 'subset load balancing is not supported',
      round_robin_lb_config: 'slow start is not supported',
      original_dst_lb_config: 'ORIGINAL_DST clusters are not supported',
      common_http_protocol_options: DEPRECATED_HTTP,
      http_protocol_options: DEPRECATED_HTTP,
      max_requests_per_connection: DEPRECATED_HTTP,
      upstream_http_protocol_options: DEPRECATED_HTTP,
      dns_resolvers: SYSTEM_RESOLVER,
      dns_resolution_config: SYSTEM_RESOLVER,
      typed_dns_resolver_config: SYSTEM_RESOLVER,
      use_tcp_for_dns_lookups: SYSTEM_RESOLVER,
    },
  },
  [`${C}.Cluster.RefreshRate`]: {
    honoured: ['base_interval', 'max_interval'],
    notes: ['`max_interval` defaults to 10 × `base_interval` and may not be less than it'],
  },
  [`${C}.Cluster.EdsClusterConfig`]: {
    honoured: ['eds_config', 'service_name'],
    notes: ['`eds_config` is required and must be `ads`; `service_name` defaults to the cluster name'],
  },
  [`${C}.Cluster.CommonLbConfig`]: {
    honoured: ['locality_weighted_lb_config'],
    notes: ['without `locality_weighted_lb_config`, locality weights are ignored (as in Envoy)'],
    reasons: {
      healthy_panic_threshold: 'panic routing is not supported',
      zone_aware_lb_config: 'zone-aware routing is not supported',
    },
  },
  [`${C}.Cluster.CommonLbConfig.LocalityWeightedLbConfig`]: { honoured: [] },
  [`${C}.Cluster.LeastRequestLbConfig`]: {
    honoured: ['choice_count'],
    reasons: { active_request_bias: 'there is no runtime', slow_start_config: 'slow start is not supported' },
  },
  [`${C}.Cluster.RingHashLbConfig`]: {
    honoured: ['minimum_ring_size', 'maximum_ring_size'],
    reasons: { hash_function: 'only XX_HASH is supported' },
  },
  [`${C}.Cluster.MaglevLbConfig`]: { honoured: ['table_size'] },
  [`${C}.LoadBalancingPolicy`]: {
    honoured: ['policies'],
    notes: [`the first policy weft-proxy supports is used: \`${PEAK_EWMA_POLICY_NAME}\` (google.protobuf.Struct config)`],
  },
  [`${C}.LoadBalancingPolicy.Policy`]: { honoured: ['typed_extension_config'] },
  'envoy.config.core.v3.TypedExtensionConfig': {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TYPE.struct, '*'] },
  },
  [TYPE.upstreamHttpProtocolOptions]: {
    honoured: ['common_http_protocol_options', 'explicit_http_config'],
    reasons: {
      use_downstream_protocol_config: 'set explicit_http_config',
      auto_config: 'ALPN needs TLS, which is not yet supported: set explicit_http_config',
      http_filters: 'upstream HTTP filters are not supported',
    },
  },
  [`${TYPE.upstreamHttpProtocolOptions}.ExplicitHttpConfig`]: {
    honoured: ['http_protocol_options', 'http2_protocol_options'],
    reasons: { http3_protocol_options: 'HTTP/3 is not supported' },
  },
  'envoy.config.core.v3.Http1ProtocolOptions': { honoured: [], notes: ['only the empty message (`{}`) is accepted'] },
  'envoy.config.core.v3.Http2ProtocolOptions': { honoured: [], notes: ['only the empty message (`{}`) is accepted'] },
  [`${C}.CircuitBreakers`]: {
    honoured: ['thresholds'],
    reasons: { per_host_thresholds: 'per-host limits are not supported' },
  },
  [`${C}.CircuitBreakers.Thresholds`]: {
    honoured: ['priority', 'max_connections', 'max_pending_requests', 'max_requests', 'max_retries', 'retry_budget'],
    ignored: ['track_remaining'],
    notes: ['HIGH priority thresholds are accepted and unused (no route can be HIGH priority); one entry per priority'],
  },
  [`${C}.CircuitBreakers.Thresholds.RetryBudget`]: { honoured: ['budget_percent', 'min_retry_concurrency'] },
  'envoy.type.v3.Percent': { honoured: ['value'] },
  [`${C}.OutlierDetection`]: {
    honoured: [
      'consecutive_5xx',
      'consecutive_gateway_failure',
      'interval',
      'base_ejection_time',
      'max_ejection_time',
      'max_ejection_percent',
      'enforcing_consecutive_5xx',
      'enforcing_consecutive_gateway_failure',
      'enforcing_success_rate',
    ],
    ignored: ['successful_active_health_check_uneject_host'],
    notes: ['success-rate ejection (on by default in Envoy) is not implemented: weft-proxy behaves as `enforcing_success_rate: 0`, the only value accepted'],
    reasons: Object.fromEntries(
      [
        'success_rate_minimum_hosts',
        'success_rate_request_volume',
        'success_rate_stdev_factor',
        'split_external_local_origin_errors',
        'consecutive_local_origin_failure',
        'enforcing_consecutive_local_origin_failure',
        'enforcing_local_origin_success_rate',
        'failure_percentage_threshold',
        'enforcing_failure_percentage',
        'enforcing_failure_percentage_local_origin',
        'failure_percentage_minimum_hosts',
        'failure_percentage_request_volume',
      ].map((f) => [f, NOT_IMPLEMENTED_OD]),
    ),
  },
  'envoy.config.endpoint.v3.ClusterLoadAssignment': {
    honoured: ['cluster_name', 'endpoints'],
    notes: ['`cluster_name` is ignored inside a cluster\'s `load_assignment` (as in Envoy)'],
    reasons: { named_endpoints: 'named endpoints are not supported', policy: 'overprovisioning and drop overloads are not supported' },
  },
  'envoy.config.endpoint.v3.LocalityLbEndpoints': {
    honoured: ['locality', 'lb_endpoints', 'load_balancing_weight', 'priority'],
    ignored: ['metadata'],
    reasons: { leds_cluster_locality_config: 'LEDS is not supported' },
  },
  'envoy.config.endpoint.v3.LbEndpoint': {
    honoured: ['endpoint', 'health_status', 'load_balancing_weight'],
    ignored: ['metadata'],
    reasons: { endpoint_name: 'named endpoints are not supported' },
  },
  'envoy.config.endpoint.v3.Endpoint': {
    honoured: ['address'],
    ignored: ['hostname'],
    notes: ['endpoint addresses are IP addresses, or DNS names in STRICT_DNS / LOGICAL_DNS clusters; `address:port` is unique within a cluster'],
    reasons: { health_check_config: 'active health checking is not supported' },
  },
  'envoy.config.core.v3.Locality': { honoured: ['region', 'zone', 'sub_zone'] },
};
