import { encodeResource } from '@weft/xds';
import { convertXds, urlOf } from './resource-decoder';
import type { ResourceStore } from './resource-store';
import type { XdsKind } from './xds-resource';

/** Puts a resource (Envoy object form) into a store as if it had been ACKed. */
export function put(store: ResourceStore, kind: XdsKind, name: string, object: Record<string, unknown>): void {
  const encoded = encodeResource(urlOf(kind), name, object);
  store.set(kind, { name, version: encoded.version, any: encoded.any, model: convertXds(kind, name, object) as never });
}

const ADS = { ads: {} };
const ROUTER = { name: 'router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

export function rdsListener(name: string, routeConfig: string): Record<string, unknown> {
  return {
    name,
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'hcm',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: name,
              rds: { route_config_name: routeConfig, config_source: ADS },
              http_filters: [ROUTER],
            },
          },
        ],
      },
    ],
  };
}

export const vhdsRoute = (name: string): Record<string, unknown> => ({ name, vhds: { config_source: ADS } });

export function vhost(name: string, domains: readonly string[], cluster: string): Record<string, unknown> {
  return { name, domains: [...domains], routes: [{ match: { prefix: '/' }, route: { cluster } }] };
}

export const edsCluster = (name: string): Record<string, unknown> => ({ name, type: 'EDS', eds_cluster_config: { eds_config: ADS } });

export function cla(cluster: string, port: number): Record<string, unknown> {
  return { cluster_name: cluster, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port } } } }] }] };
}
