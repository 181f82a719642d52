import type { MessageSupport } from './support-matrix';

const TLS = 'TLS is not yet supported';

/** Bootstrap, node, admin and addresses. */
export const BOOTSTRAP_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  'envoy.config.bootstrap.v3.Bootstrap': {
    honoured: ['node', 'static_resources', 'admin'],
    ignored: ['node_context_params', 'enable_dispatcher_stats', 'stats_server_version_override'],
    reasons: {
      dynamic_resources: 'the xDS server is given on the command line: --xds ADDR (ADS, delta or SotW)',
      layered_runtime: 'there is no runtime: the configured values apply',
      stats_sinks: 'metrics are served on the admin listener (/stats/prometheus)',
      stats_config: 'Envoy stats tags and matchers are not supported; metrics use Istio names',
      tracing: 'tracing is not supported',
      overload_manager: 'the overload manager is not supported',
      cluster_manager: 'cluster manager options are not supported',
    },
  },
  'envoy.config.bootstrap.v3.Bootstrap.StaticResources': {
    honoured: ['listeners', 'clusters'],
    reasons: { secrets: TLS },
  },
  'envoy.config.core.v3.Node': {
    honoured: ['id', 'cluster'],
    ignored: [
      'metadata',
      'locality',
      'user_agent_name',
      'user_agent_version',
      'user_agent_build_version',
      'extensions',
      'client_features',
      'listening_addresses',
      'dynamic_parameters',
    ],
  },
  'envoy.config.bootstrap.v3.Admin': {
    honoured: ['address'],
    ignored: ['profile_path', 'ignore_global_conn_limit'],
    reasons: { access_log: 'access logs are not supported', access_log_path: 'access logs are not supported' },
  },
  'envoy.config.core.v3.Address': {
    honoured: ['socket_address'],
    reasons: { pipe: 'unix domain sockets are not supported', envoy_internal_address: 'internal addresses are not supported' },
  },
  'envoy.config.core.v3.SocketAddress': {
    honoured: ['address', 'port_value'],
    notes: ['`address` must be an IP address (DNS names only in the endpoints of STRICT_DNS / LOGICAL_DNS clusters); `port_value` is required'],
    reasons: {
      protocol: 'only TCP is supported',
      named_port: 'use port_value',
      resolver_name: 'custom resolvers are not supported',
      ipv4_compat: 'IPv4-mapped IPv6 listening is not supported',
    },
  },
};
