import type { ClusterModel, ConfigSnapshot, ListenerModel } from '@weft/proxy-core';
import { loadBootstrap } from './bootstrap.loader';
import type { ProxyFlags } from './flags';

/**
 * The sidecar's default inbound listener (Istio's 15006 → the local app), written as an Envoy
 * bootstrap and loaded like any other config, so it has exactly the defaults a user's would.
 */
function inboundBootstrap(listenPort: number, appPort: number): string {
  const cluster = `inbound|${appPort}||`;
  return `
static_resources:
  listeners:
  - name: inbound
    traffic_direction: INBOUND
    address: { socket_address: { address: 0.0.0.0, port_value: ${listenPort} } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: inbound
          upgrade_configs: [{ upgrade_type: websocket }]
          route_config:
            name: inbound
            virtual_hosts:
            - name: inbound
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: "${cluster}", timeout: 0s }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
  - name: "${cluster}"
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: "${cluster}"
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${appPort} } } }
`;
}

function withPort(l: ListenerModel, port: number | undefined): ListenerModel {
  return port === undefined ? l : Object.freeze({ ...l, port });
}

/** Applies --node-id, --outbound-port, --inbound-port and --app-port to a loaded snapshot. */
export function applyFlagOverrides(s: ConfigSnapshot, flags: ProxyFlags): ConfigSnapshot {
  let listeners = s.listeners.map((l) =>
    withPort(l, l.direction === 'OUTBOUND' ? flags['outbound-port'] : l.direction === 'INBOUND' ? flags['inbound-port'] : undefined),
  );
  const clusters = new Map<string, ClusterModel>(s.clusters);
  const appPort = flags['app-port'];
  if (appPort !== undefined && !listeners.some((l) => l.direction === 'INBOUND')) {
    const inbound = loadBootstrap(inboundBootstrap(flags['inbound-port'] ?? 15006, appPort), '(--app-port)').snapshot;
    listeners = [...listeners, ...inbound.listeners];
    for (const [name, c] of inbound.clusters) clusters.set(name, c);
  }
  const node = flags['node-id'] === undefined ? s.node : { ...s.node, id: flags['node-id'] };
  return Object.freeze({ ...s, listeners: Object.freeze(listeners), clusters, node });
}
