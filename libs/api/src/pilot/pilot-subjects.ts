import { z } from 'zod';

/** NATS subjects of pilot (`weft.<app>.<entity>.<event>`), declared once. */

/**
 * Fan-out (plain subject, no queue group): every pilot replica hears every rule change and reloads the
 * rules from Redis. Payload: {@link RulesChangedEvent}.
 */
export const PILOT_RULES_CHANGED_SUBJECT = 'weft.pilot.rules.changed';

export function pilotRulesChangedSubject(prefix = ''): string {
  return `${prefix}${PILOT_RULES_CHANGED_SUBJECT}`;
}

/** Payload of `weft.pilot.rules.changed` (version 1). */
export const rulesChangedEvent = z.object({
  v: z.literal(1),
  /** The global rules revision after the change. */
  revision: z.number().int().nonnegative(),
  /** Rule keys (`Kind/namespace/name`) created, changed or deleted by the change. */
  keys: z.array(z.string()),
  /** `Date.now()` of the writing replica when the change was stored (convergence metrics). */
  at: z.number().int().optional(),
});
export type RulesChangedEvent = z.output<typeof rulesChangedEvent>;

/**
 * Request/reply (queue group {@link PILOT_RPC_QUEUE}: one replica answers, every replica answers for the
 * whole mesh since status lives in Redis): the sync status of every connected proxy, what
 * `GET /v1/proxies` returns. Request payload {@link proxyStatusRequest}; reply
 * `RpcReply<ProxyListResponse>` (see `proxyListResponse` in pilot-rest.schema).
 */
export const PILOT_PROXY_STATUS_SUBJECT = 'weft.pilot.rpc.proxyStatus';
export const PILOT_RPC_QUEUE = 'weft-pilot';

export function pilotProxyStatusSubject(prefix = ''): string {
  return `${prefix}${PILOT_PROXY_STATUS_SUBJECT}`;
}

/** Payload of `weft.pilot.rpc.proxyStatus` (version 1; an empty body means `{v: 1}`). */
export const proxyStatusRequest = z.object({
  v: z.literal(1).default(1),
  /** Only the proxies of this namespace. */
  namespace: z.string().min(1).optional(),
});
export type ProxyStatusRequest = z.output<typeof proxyStatusRequest>;
