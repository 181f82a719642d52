/** Small protobufjs object-form builders shared by the generators. */

export const TYPE_PREFIX = 'type.googleapis.com/';
export const HCM_TYPE = `${TYPE_PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
export const ROUTER_TYPE = `${TYPE_PREFIX}envoy.extensions.filters.http.router.v3.Router`;
export const FAULT_TYPE = `${TYPE_PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`;
export const HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
export const PREVIOUS_HOSTS_TYPE = `${TYPE_PREFIX}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`;

export const ROUTER_FILTER_NAME = 'envoy.filters.http.router';
export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';
export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

/** Largest uint32: Istio's "unlimited" for connection-pool limits. */
export const UINT32_MAX = 4_294_967_295;

export interface Duration {
  readonly seconds: number;
  readonly nanos: number;
}

/** Milliseconds → google.protobuf.Duration. */
export function duration(ms: number): Duration {
  const whole = Math.floor(ms / 1000);
  return { seconds: whole, nanos: Math.round((ms - whole * 1000) * 1_000_000) };
}

export function adsConfigSource(): Record<string, unknown> {
  return { ads: {}, resource_api_version: 'V3' };
}

export function routerFilter(): Record<string, unknown> {
  return { name: ROUTER_FILTER_NAME, typed_config: { '@type': ROUTER_TYPE } };
}

export function faultFilter(): Record<string, unknown> {
  return { name: FAULT_FILTER_NAME, typed_config: { '@type': FAULT_TYPE } };
}

/**
 * `upgrade_configs` of every HTTP connection manager pilot generates: WebSocket upgrades allowed, as
 * Istio enables them by default on its sidecar listeners (they still go through the HTTP filters).
 */
export function websocketUpgrades(): Record<string, unknown>[] {
  return [{ upgrade_type: 'websocket' }];
}

export function socketAddress(address: string, port: number): Record<string, unknown> {
  return { socket_address: { address, port_value: port } };
}

/** Istio Percent (0–100, fractional) → envoy.type.v3.FractionalPercent (per million for precision). */
export function fractionalPercent(percent: number): Record<string, unknown> {
  const clamped = Math.min(100, Math.max(0, percent));
  if (Number.isInteger(clamped)) return { numerator: clamped, denominator: 'HUNDRED' };
  return { numerator: Math.round(clamped * 10_000), denominator: 'MILLION' };
}
