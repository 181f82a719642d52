import type { MessageSupport } from './support-matrix';
import { TYPE } from './type-names';

const ONE_CHAIN = 'one filter chain, or two told apart by `filter_chain_match.transport_protocol` (tls / raw_buffer)';
const ACCESS_LOG = 'access logs are not supported';
const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3';

/** Listeners, the HTTP connection manager, tcp_proxy and the HTTP filters. */
export const LISTENER_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  'envoy.config.listener.v3.Listener': {
    honoured: ['name', 'address', 'filter_chains', 'traffic_direction', 'listener_filters'],
    ignored: ['stat_prefix', 'metadata'],
    notes: [
      '`address` is required; one entry in `filter_chains`, or two (PERMISSIVE mTLS) matching `transport_protocol` `tls` and `raw_buffer` with the same filters',
      '`listener_filters`: the TLS inspector only',
    ],
    reasons: {
      use_original_dst: 'original-destination listeners (iptables capture) are not yet supported',
      default_filter_chain: ONE_CHAIN,
      filter_chain_matcher: ONE_CHAIN,
      access_log: ACCESS_LOG,
      api_listener: 'API listeners are not supported',
      udp_listener_config: 'UDP is not supported',
    },
  },
  'envoy.config.listener.v3.FilterChain': {
    honoured: ['filters', 'filter_chain_match', 'transport_socket'],
    ignored: ['name', 'metadata'],
    notes: ['exactly one network filter, configured with `typed_config`', '`transport_socket`: `envoy.transport_sockets.tls` (DownstreamTlsContext)'],
  },
  'envoy.config.listener.v3.Filter': {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TYPE.httpConnectionManager, TYPE.tcpProxy] },
    notes: ['the filter is chosen by the `typed_config` type; `name` is informational'],
    reasons: { config_discovery: 'extension config discovery (ECDS) is not supported' },
  },
  [TYPE.httpConnectionManager]: {
    honoured: [
      'stat_prefix',
      'codec_type',
      'route_config',
      'rds',
      'http_filters',
      'stream_idle_timeout',
      'request_timeout',
      'common_http_protocol_options',
      'max_request_headers_kb',
      'upgrade_configs',
      'generate_request_id',
    ],
    notes: [
      '`codec_type`: AUTO, HTTP1 or HTTP2',
      '`http_filters`: fault, local_ratelimit, rbac and router; the router exactly once, last; names unique',
    ],
    reasons: { scoped_routes: 'scoped routes are not supported', access_log: ACCESS_LOG, tracing: 'tracing is not supported' },
  },
  [`${HCM}.Rds`]: {
    honoured: ['route_config_name', 'config_source'],
    notes: ['the route configuration comes from the ADS stream (needs `--xds`); `config_source` must be `ads`; the listener warms until it arrives'],
  },
  'envoy.config.core.v3.ConfigSource': {
    honoured: ['ads'],
    notes: ['`ads` is required: every xDS resource comes over the one ADS stream of `--xds`'],
    ignored: ['resource_api_version', 'initial_fetch_timeout'],
    reasons: { api_config_source: 'only ADS is supported', path_config_source: 'only ADS is supported', path: 'only ADS is supported' },
  },
  'envoy.config.core.v3.AggregatedConfigSource': { honoured: [] },
  [`${HCM}.HttpFilter`]: {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TYPE.fault, TYPE.localRateLimit, TYPE.rbac, TYPE.router] },
    reasons: {
      config_discovery: 'extension config discovery (ECDS) is not supported',
      is_optional: 'every configured filter must be supported',
      disabled: 'disabled filters are not supported',
    },
  },
  [`${HCM}.HttpConnectionManager.UpgradeConfig`]: {
    honoured: ['upgrade_type', 'enabled'],
    notes: ['`upgrade_type`: websocket only'],
    reasons: { filters: 'per-upgrade filter chains are not supported' },
  },
  'envoy.config.core.v3.HttpProtocolOptions': {
    honoured: ['idle_timeout', 'max_requests_per_connection'],
    notes: ['`max_requests_per_connection`: clusters only (rejected in the HTTP connection manager)'],
  },
  [TYPE.tcpProxy]: {
    honoured: ['stat_prefix', 'cluster', 'idle_timeout'],
    reasons: { access_log: ACCESS_LOG, weighted_clusters: 'use a single cluster' },
  },
  [TYPE.router]: {
    honoured: [],
    ignored: ['dynamic_stats', 'start_child_span', 'suppress_grpc_request_failure_code_stats'],
    reasons: { upstream_log: ACCESS_LOG, upstream_http_filters: 'upstream HTTP filters are not supported' },
  },
  [TYPE.fault]: {
    honoured: ['delay', 'abort'],
    ignored: [
      'delay_percent_runtime',
      'abort_percent_runtime',
      'delay_duration_runtime',
      'abort_http_status_runtime',
      'abort_grpc_status_runtime',
      'max_active_faults_runtime',
      'response_rate_limit_percent_runtime',
      'disable_downstream_cluster_stats',
      'filter_metadata',
    ],
    notes: ['runtime keys are ignored: there is no runtime, the configured percentages apply'],
    reasons: {
      headers: 'restricting faults to matching headers is not supported',
      max_active_faults: 'a cap on concurrent faults is not supported',
      response_rate_limit: 'response rate limiting is not supported',
      upstream_cluster: 'restricting faults to an upstream cluster is not supported',
      downstream_nodes: 'restricting faults to downstream nodes is not supported',
    },
  },
  'envoy.extensions.filters.http.fault.v3.FaultAbort': {
    honoured: ['http_status', 'grpc_status', 'percentage'],
    reasons: { header_abort: 'header-controlled faults are not supported' },
  },
  'envoy.extensions.filters.common.fault.v3.FaultDelay': {
    honoured: ['fixed_delay', 'percentage'],
    reasons: { header_delay: 'header-controlled faults are not supported' },
  },
  'envoy.type.v3.FractionalPercent': { honoured: ['numerator', 'denominator'] },
  [TYPE.localRateLimit]: {
    honoured: ['token_bucket', 'filter_enabled', 'filter_enforced', 'response_headers_to_add'],
    ignored: ['stat_prefix'],
    notes: ['as in Envoy, `filter_enabled` and `filter_enforced` default to 0% (the filter only counts)'],
    reasons: {
      status: 'the rate-limited response is always 429',
      descriptors: 'descriptors are not supported',
      enable_x_ratelimit_headers: 'x-ratelimit headers are not supported',
    },
  },
  'envoy.type.v3.TokenBucket': { honoured: ['max_tokens', 'tokens_per_fill', 'fill_interval'] },
  'envoy.config.core.v3.RuntimeFractionalPercent': { honoured: ['default_value'], ignored: ['runtime_key'] },
  'envoy.config.core.v3.HeaderValueOption': {
    honoured: ['header', 'append', 'append_action'],
    notes: ['`append_action`: APPEND_IF_EXISTS_OR_ADD or OVERWRITE_IF_EXISTS_OR_ADD; not together with `append`'],
  },
  'envoy.config.core.v3.HeaderValue': { honoured: ['key', 'value'], reasons: { raw_value: 'use value' } },
};
