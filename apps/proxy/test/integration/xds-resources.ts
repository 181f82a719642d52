import { TYPE_URL } from '@weft/xds';

/**
 * The resources pilot serves a weft node (in Envoy's object form, for encodeResource): the outbound
 * listener (RDS `outbound`), the `outbound` route configuration (virtual hosts over VHDS), virtual
 * hosts `outbound/<host>:<port>`, EDS clusters `outbound|<port>|<subset>|<fqdn>` and their endpoints.
 */
export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ADS = { ads: {}, resource_api_version: 'V3' };

export function outboundListener(port = 0): Record<string, unknown> {
  return {
    name: 'outbound',
    address: { socket_address: { address: '127.0.0.1', port_value: port } },
    traffic_direction: 'OUTBOUND',
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              stat_prefix: 'outbound',
              codec_type: 'AUTO',
              rds: { route_config_name: 'outbound', config_source: ADS },
              http_filters: [
                { name: 'envoy.filters.http.fault', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' } },
                { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
              ],
            },
          },
        ],
      },
    ],
  };
}

export const OUTBOUND_ROUTE = { name: 'outbound', vhds: { config_source: ADS } };

export const clusterName = (host: string, port = 9080, subset = 'v1'): string => `outbound|${port}|${subset}|${host}.default.svc.cluster.local`;

/** The virtual host `outbound/<host>:<port>` with its aliases as domains, routing to one cluster. */
export function virtualHost(host: string, port = 9080, cluster = clusterName(host, port), name = `outbound/${host}:${port}`): Record<string, unknown> {
  const fqdn = `${host}.default.svc.cluster.local`;
  return {
    name,
    domains: [`${host}:${port}`, `${host}.default:${port}`, `${fqdn}:${port}`],
    routes: [{ match: { prefix: '/' }, route: { cluster, timeout: { seconds: 5 } } }],
  };
}

export function edsCluster(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, type: 'EDS', eds_cluster_config: { eds_config: ADS }, connect_timeout: { seconds: 1 }, ...extra };
}

export function endpoints(cluster: string, ports: readonly number[]): Record<string, unknown> {
  return {
    cluster_name: cluster,
    endpoints: [{ locality: { zone: 'z1' }, lb_endpoints: ports.map((p) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } } })) }],
  };
}

/** Shorthands of the type URLs. */
export const LDS = TYPE_URL.listener;
export const RDS = TYPE_URL.routeConfiguration;
export const VHDS = TYPE_URL.virtualHost;
export const CDS = TYPE_URL.cluster;
export const EDS = TYPE_URL.clusterLoadAssignment;
