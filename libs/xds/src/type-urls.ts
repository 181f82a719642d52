/** xDS v3 type URLs (envoy `xds_protocol.rst`), one constant each; VirtualHost is VHDS (delta only). */
export const TYPE_URL = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  virtualHost: 'type.googleapis.com/envoy.config.route.v3.VirtualHost',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;
export type TypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

export const ALL_TYPE_URLS: readonly TypeUrl[] = Object.values(TYPE_URL);

/** Short names used in metrics, logs and `weftctl proxy-config`. */
export const TYPE_SHORT_NAME: Readonly<Record<TypeUrl, 'lds' | 'rds' | 'vhds' | 'cds' | 'eds'>> = {
  [TYPE_URL.listener]: 'lds',
  [TYPE_URL.routeConfiguration]: 'rds',
  [TYPE_URL.virtualHost]: 'vhds',
  [TYPE_URL.cluster]: 'cds',
  [TYPE_URL.clusterLoadAssignment]: 'eds',
};

export function isTypeUrl(value: string): value is TypeUrl {
  return (ALL_TYPE_URLS as readonly string[]).includes(value);
}

/**
 * Push order (make-before-break, xds_protocol.rst "eventual consistency"): clusters before their
 * endpoints, before the listeners and routes that reference them.
 */
export const PUSH_ORDER: readonly TypeUrl[] = [
  TYPE_URL.cluster,
  TYPE_URL.clusterLoadAssignment,
  TYPE_URL.listener,
  TYPE_URL.routeConfiguration,
  TYPE_URL.virtualHost,
];

/** Types whose SotW responses carry every subscribed resource (absence = deletion). */
export function sotwRequiresAll(typeUrl: string): boolean {
  return typeUrl === TYPE_URL.listener || typeUrl === TYPE_URL.cluster;
}

/** The message type name inside a type URL (`type.googleapis.com/a.b.C` → `a.b.C`). */
export function typeNameOfUrl(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
