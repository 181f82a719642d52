/** NATS subjects of the registry (`weft.<app>.<entity>.<event>`), declared once. */
export const REGISTRY_RPC_PREFIX = 'weft.registry.rpc';
export const REGISTRY_RPC_QUEUE = 'weft-registry';
export const REGISTRY_EVENTS_PREFIX = 'weft.registry.events';
export const REGISTRY_EVENTS_ALL = `${REGISTRY_EVENTS_PREFIX}.>`;
/** Replica join/leave announcements (payload `{replica, event: 'join' | 'leave'}`). */
export const REGISTRY_MEMBERS_SUBJECT = 'weft.registry.members';

export const REGISTRY_RPC_METHODS = [
  'upsertService',
  'deleteService',
  'getService',
  'listServices',
  'register',
  'deregister',
  'heartbeat',
  'listInstances',
] as const;
export type RegistryRpcMethod = (typeof REGISTRY_RPC_METHODS)[number];

export function registryRpcSubject(method: RegistryRpcMethod, prefix = ''): string {
  return `${prefix}${REGISTRY_RPC_PREFIX}.${method}`;
}

export function registryEventSubject(namespace: string, service: string, prefix = ''): string {
  return `${prefix}${REGISTRY_EVENTS_PREFIX}.${namespace}.${service}`;
}

/** Reply envelope of every NATS request/reply call. */
export type RpcReply<T> =
  | { ok: true; result: T }
  | { ok: false; error: { code: string; kind: string; message: string; issues: { path: string; message: string }[] } };
