import { TYPE_URL } from '@weft/xds';
import type { MemoryResourceProvider } from './memory-provider';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' };

/**
 * The minimal LDS/RDS/CDS/EDS set a grpc-js-xds channel for `xds:///<authority>` needs (api_listener
 * HCM → RDS → one EDS cluster → one endpoint), as landscape.md §3b lists it. Returns the cluster name.
 */
export function serveProxylessTarget(provider: MemoryResourceProvider, authority: string, endpoint: { ip: string; port: number }): string {
  const cluster = `outbound|${endpoint.port}||${authority.split(':')[0] ?? authority}`;
  provider.set(TYPE_URL.listener, authority, {
    name: authority,
    api_listener: {
      api_listener: {
        '@type': HCM,
        rds: { config_source: ADS_SOURCE, route_config_name: authority },
        http_filters: [{ name: 'router', typed_config: { '@type': ROUTER } }],
      },
    },
  });
  provider.set(TYPE_URL.routeConfiguration, authority, {
    name: authority,
    virtual_hosts: [{ name: authority, domains: [authority], routes: [{ match: { prefix: '' }, route: { cluster } }] }],
  });
  provider.set(TYPE_URL.cluster, cluster, { name: cluster, type: 'EDS', eds_cluster_config: { eds_config: ADS_SOURCE }, lb_policy: 'ROUND_ROBIN' });
  provider.set(TYPE_URL.clusterLoadAssignment, cluster, {
    cluster_name: cluster,
    endpoints: [
      {
        locality: { zone: 'z1' },
        load_balancing_weight: { value: 1 },
        lb_endpoints: [{ endpoint: { address: { socket_address: { address: endpoint.ip, port_value: endpoint.port } } }, health_status: 'HEALTHY' }],
      },
    ],
  });
  return cluster;
}
