import { z } from 'zod';
import { dnsLabel, instance, service } from './registry.schema';

/** Change events published on `weft.registry.events.<namespace>.<service>` (payload version 1). */
export const registryEventType = z.enum([
  'service.upserted',
  'service.deleted',
  'instance.registered',
  'instance.updated',
  'instance.deregistered',
  'instance.health',
  'instance.expired',
]);
export type RegistryEventType = z.output<typeof registryEventType>;

export const registryEvent = z.object({
  v: z.literal(1),
  type: registryEventType,
  namespace: dnsLabel,
  service: dnsLabel,
  /** The service revision this change produced; consecutive per service, so a gap means missed events. */
  revision: z.number().int().positive(),
  /** The service after the change (service.*), null otherwise. */
  serviceState: service.nullable(),
  /** The instance after the change; for deregistered/expired, its last state. */
  instance: instance.nullable(),
  /** Why: `ttl`, `probe`, `api`, `static`, `grace`. */
  reason: z.string(),
  at: z.number().int(),
});
export type RegistryEvent = z.output<typeof registryEvent>;
