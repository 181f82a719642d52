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
