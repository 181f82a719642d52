import { z } from 'zod';
import { dnsLabel, instanceId, instanceSpec, serviceSpec } from './registry.schema';
import { parseLabelSelector } from '../label-selector';

/** Request payloads of the registry API; the same shapes on REST bodies, NATS and gRPC. */

export const serviceRef = z.object({ namespace: dnsLabel, name: dnsLabel });
export type ServiceRef = z.output<typeof serviceRef>;

export const upsertServiceRequest = serviceSpec;

export const registerRequest = z.object({
  namespace: dnsLabel,
  service: dnsLabel,
  instance: instanceSpec,
});
export type RegisterRequest = z.output<typeof registerRequest>;

export const instanceRef = z.object({ namespace: dnsLabel, service: dnsLabel, id: instanceId });
export type InstanceRef = z.output<typeof instanceRef>;

export const listServicesRequest = z.object({ namespace: dnsLabel.nullable().default(null) });
export type ListServicesRequest = z.output<typeof listServicesRequest>;

/** A Kubernetes label selector string: `version=v1,zone!=b,tier in (web,api),canary,!legacy`. */
export const labelSelector = z
  .string()
  .max(4096)
  .superRefine((s, ctx) => {
    try {
      parseLabelSelector(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

export const listInstancesRequest = z.object({
  namespace: dnsLabel,
  service: dnsLabel,
  selector: labelSelector.default(''),
  /** Only instances whose status is healthy. */
  healthyOnly: z.boolean().default(false),
});
export type ListInstancesRequest = z.output<typeof listInstancesRequest>;

export const watchRequest = z.object({
  namespace: dnsLabel,
  /** A service name, or null for every service of the namespace. */
  service: dnsLabel.nullable().default(null),
  /** Resume after this revision (per service); 0 sends a snapshot first. */
  sinceRevision: z.number().int().nonnegative().default(0),
});
export type WatchRequest = z.output<typeof watchRequest>;
