import type { MessageSupport } from './support-matrix';
import { TYPE } from './type-names';

const R = 'envoy.config.route.v3';
const MUTATIONS = ['request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove'];
const PER_FILTER_TYPES = [TYPE.fault, TYPE.localRateLimit];
const CORS = 'CORS is not supported';
const RATE_LIMITS = 'the global rate-limit service is not supported (use the local_ratelimit filter)';
const MIRRORS = 'mirror policies are supported on routes only';

/** Route configurations: virtual hosts, routes, matchers, actions, retry and hash policies. */
export const ROUTE_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  [`${R}.RouteConfiguration`]: {
    honoured: ['name', 'virtual_hosts', 'validate_clusters', 'vhds', ...MUTATIONS],
    ignored: ['metadata'],
    notes: [
      '`validate_clusters: false` skips the bootstrap check that every referenced cluster exists',
      '`vhds`: more virtual hosts come from the ADS stream (VHDS, delta xDS only), some on demand (needs `--xds`)',
    ],
    reasons: { request_mirror_policies: MIRRORS },
  },
  [`${R}.Vhds`]: {
    honoured: ['config_source'],
    notes: ['`config_source` must be `ads`'],
  },
  [`${R}.VirtualHost`]: {
    honoured: ['name', 'domains', 'routes', 'retry_policy', 'typed_per_filter_config', ...MUTATIONS],
    ignored: ['metadata'],
    anyTypes: { typed_per_filter_config: PER_FILTER_TYPES },
    notes: ['domains are unique within a route configuration; `*` only alone, as a prefix or as a suffix'],
    reasons: { cors: CORS, rate_limits: RATE_LIMITS, require_tls: 'TLS is not yet supported', request_mirror_policies: MIRRORS },
  },
  [`${R}.Route`]: {
    honoured: ['name', 'match', 'route', 'redirect', 'direct_response', 'typed_per_filter_config', ...MUTATIONS],
    ignored: ['metadata', 'stat_prefix'],
    anyTypes: { typed_per_filter_config: PER_FILTER_TYPES },
    notes: ['`typed_per_filter_config` keys name an HTTP filter of the same type in the connection manager'],
    reasons: { decorator: 'tracing is not supported', tracing: 'tracing is not supported' },
  },
  [`${R}.RouteMatch`]: {
    honoured: ['prefix', 'path', 'safe_regex', 'path_separated_prefix', 'case_sensitive', 'headers', 'query_parameters', 'grpc'],
    reasons: { runtime_fraction: 'there is no runtime', tls_context: 'TLS is not yet supported' },
  },
  [`${R}.RouteMatch.GrpcRouteMatchOptions`]: { honoured: [] },
  [`${R}.HeaderMatcher`]: {
    honoured: [
      'name',
      'string_match',
      'exact_match',
      'prefix_match',
      'suffix_match',
      'contains_match',
      'safe_regex_match',
      'present_match',
      'invert_match',
      'treat_missing_header_as_empty',
    ],
    reasons: { range_match: 'range matching is not supported' },
  },
  [`${R}.QueryParameterMatcher`]: {
    honoured: ['name', 'string_match', 'present_match'],
    notes: ['`present_match: false` is rejected'],
  },
  'envoy.type.matcher.v3.StringMatcher': {
    honoured: ['exact', 'prefix', 'suffix', 'contains', 'safe_regex', 'ignore_case'],
    reasons: { custom: 'custom matchers are not supported' },
  },
  'envoy.type.matcher.v3.RegexMatcher': {
    honoured: ['regex'],
    ignored: ['google_re2'],
    notes: ['the regex must compile as a JavaScript RegExp (RE2-only syntax such as `(?P<name>…)` is rejected)'],
  },
  'envoy.type.matcher.v3.RegexMatchAndSubstitute': { honoured: ['pattern', 'substitution'] },
  [`${R}.RouteAction`]: {
    honoured: [
      'cluster',
      'weighted_clusters',
      'prefix_rewrite',
      'regex_rewrite',
      'host_rewrite_literal',
      'timeout',
      'idle_timeout',
      'retry_policy',
      'request_mirror_policies',
      'hash_policy',
      'upgrade_configs',
    ],
    reasons: {
      cluster_header: 'the cluster must be named in the configuration',
      auto_host_rewrite: 'use host_rewrite_literal',
      host_rewrite_header: 'use host_rewrite_literal',
      host_rewrite_path_regex: 'use host_rewrite_literal',
      priority: 'only the default routing priority is supported',
      rate_limits: RATE_LIMITS,
      cors: CORS,
      hedge_policy: 'request hedging is not supported',
      max_stream_duration: 'use timeout',
      metadata_match: 'subset load balancing is not supported',
    },
  },
  [`${R}.WeightedCluster`]: {
    honoured: ['clusters'],
    notes: ['weights must sum to more than 0; the total is their sum'],
    reasons: { total_weight: 'deprecated: the total is the sum of the weights', runtime_key_prefix: 'there is no runtime' },
  },
  [`${R}.WeightedCluster.ClusterWeight`]: {
    honoured: ['name', 'weight', ...MUTATIONS],
    reasons: { cluster_header: 'the cluster must be named in the configuration', metadata_match: 'subset load balancing is not supported' },
  },
  [`${R}.RouteAction.RequestMirrorPolicy`]: {
    honoured: ['cluster', 'runtime_fraction'],
    ignored: ['trace_sampled'],
    reasons: { cluster_header: 'the cluster must be named in the configuration' },
  },
  [`${R}.RouteAction.HashPolicy`]: {
    honoured: ['header', 'cookie', 'connection_properties', 'query_parameter', 'terminal'],
    reasons: { filter_state: 'filter state is not supported' },
  },
  [`${R}.RouteAction.HashPolicy.Header`]: { honoured: ['header_name'] },
  [`${R}.RouteAction.HashPolicy.Cookie`]: {
    honoured: ['name'],
    reasons: { ttl: 'generating the hash cookie is not supported', path: 'generating the hash cookie is not supported' },
  },
  [`${R}.RouteAction.HashPolicy.ConnectionProperties`]: { honoured: ['source_ip'], notes: ['`source_ip` must be true'] },
  [`${R}.RouteAction.HashPolicy.QueryParameter`]: { honoured: ['name'] },
  [`${R}.RouteAction.UpgradeConfig`]: {
    honoured: ['upgrade_type', 'enabled'],
    notes: ['`upgrade_type`: websocket only'],
    reasons: { connect_config: 'CONNECT is not supported' },
  },
  [`${R}.RetryPolicy`]: {
    honoured: [
      'retry_on',
      'num_retries',
      'per_try_timeout',
      'retriable_status_codes',
      'retry_back_off',
      'retry_host_predicate',
      'host_selection_retry_max_attempts',
    ],
    notes: [
      '`retry_on`: 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable',
    ],
    reasons: {
      retry_priority: 'retry priorities are not supported',
      retriable_headers: 'use retriable_status_codes',
      rate_limited_retry_back_off: 'use retry_back_off',
    },
  },
  [`${R}.RetryPolicy.RetryBackOff`]: { honoured: ['base_interval', 'max_interval'] },
  [`${R}.RetryPolicy.RetryHostPredicate`]: {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TYPE.previousHostsPredicate] },
  },
  [TYPE.previousHostsPredicate]: { honoured: [] },
  [`${R}.RedirectAction`]: {
    honoured: ['https_redirect', 'scheme_redirect', 'host_redirect', 'port_redirect', 'path_redirect', 'prefix_rewrite', 'response_code', 'strip_query'],
    reasons: { regex_rewrite: 'use path_redirect or prefix_rewrite' },
  },
  [`${R}.DirectResponseAction`]: { honoured: ['status', 'body'] },
  'envoy.config.core.v3.DataSource': {
    honoured: ['inline_string', 'filename'],
    notes: ['direct response bodies: `inline_string` only; TLS certificates and keys: `filename` only (key material never travels in a config)'],
    reasons: {
      inline_bytes: 'use inline_string (bodies) or filename (TLS files)',
      environment_variable: 'use inline_string (bodies) or filename (TLS files)',
    },
  },
};
