import { inboundClusterName, INBOUND, OUTBOUND } from '../model/resource-names';
import { inboundChains, type InboundMtlsMode } from './tls.generator';
import { adsConfigSource, duration, faultFilter, HCM_FILTER_NAME, HCM_TYPE, routerFilter, socketAddress, websocketUpgrades } from './xds-values';

const LOOPBACK = '127.0.0.1';

/**
 * The sidecar's `outbound` listener (127.0.0.1:<outboundPort>): an HTTP connection manager whose routes
 * come over RDS `outbound` (itself VHDS-backed), with the fault filter (per-route faults) and the router.
 * WebSocket upgrades are on (Istio's default), on the inbound listener too.
 */
export function generateOutboundListener(outboundPort: number): Record<string, unknown> {
  const hcm = {
    '@type': HCM_TYPE,
    stat_prefix: OUTBOUND,
    codec_type: 'AUTO',
    rds: { route_config_name: OUTBOUND, config_source: adsConfigSource() },
    http_filters: [faultFilter(), routerFilter()],
    upgrade_configs: websocketUpgrades(),
  };
  return listener(OUTBOUND, outboundPort, 'OUTBOUND', hcm);
}

/**
 * The sidecar's `inbound` listener (127.0.0.1:<inboundPort>): every request to the local app through
 * cluster `inbound|<appPort>||`, no route timeout (as Istio's inbound routes). The PeerAuthentication
 * mode of the app port picks the filter chains (see tls.generator.ts).
 */
export function generateInboundListener(inboundPort: number, appPort: number, mtls: InboundMtlsMode = 'DISABLE'): Record<string, unknown> {
  const route = { match: { prefix: '/' }, route: { cluster: inboundClusterName(appPort), timeout: duration(0) } };
  const hcm = {
    '@type': HCM_TYPE,
    stat_prefix: INBOUND,
    codec_type: 'AUTO',
    route_config: { name: INBOUND, virtual_hosts: [{ name: INBOUND, domains: ['*'], routes: [route] }] },
    http_filters: [routerFilter()],
    upgrade_configs: websocketUpgrades(),
  };
  return listener(INBOUND, inboundPort, 'INBOUND', hcm, mtls);
}

/** A proxyless gRPC client's listener `<host>:<port>`: an API listener whose routes come over RDS of the same name. */
export function generateApiListener(name: string): Record<string, unknown> {
  const hcm = { '@type': HCM_TYPE, rds: { route_config_name: name, config_source: adsConfigSource() }, http_filters: [faultFilter(), routerFilter()] };
  return { name, api_listener: { api_listener: hcm } };
}

function listener(name: string, port: number, direction: string, hcm: Record<string, unknown>, mtls: InboundMtlsMode = 'DISABLE'): Record<string, unknown> {
  return {
    name,
    address: socketAddress(LOOPBACK, port),
    traffic_direction: direction,
    ...inboundChains(mtls, [{ name: HCM_FILTER_NAME, typed_config: hcm }]),
  };
}
