import { OUTBOUND } from '../model/resource-names';
import { adsConfigSource } from './xds-values';

/** The sidecar's RouteConfiguration `outbound`: no virtual hosts of its own, all of them over VHDS. */
export function generateOutboundRouteConfig(): Record<string, unknown> {
  return { name: OUTBOUND, vhds: { config_source: adsConfigSource() } };
}

/** A gRPC client's RouteConfiguration `<host>:<port>`: exactly one virtual host. */
export function generateGrpcRouteConfig(name: string, virtualHost: Record<string, unknown>): Record<string, unknown> {
  return { name, virtual_hosts: [virtualHost] };
}
