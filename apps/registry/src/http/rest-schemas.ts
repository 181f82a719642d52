import { z } from 'zod';
import { instance, labelSelector, service, serviceSpec } from '@weft/api';

/**
 * Zod schemas of the shapes only the REST edge has: the PUT body, query strings, response wrappers and
 * the error body. The OpenAPI components are generated from these and the shared @weft/api schemas.
 */

/** PUT body: a service spec whose namespace and name may be omitted (they come from the path). */
export const serviceSpecBody = serviceSpec.partial({ namespace: true, name: true });

/** Query of GET …/instances; `healthy=true` keeps only healthy instances. */
export const listInstancesQuery = z.object({
  selector: labelSelector.optional(),
  healthy: z.enum(['true', 'false']).optional(),
});

export const serviceList = z.object({ services: z.array(service) });
export const instanceList = z.object({ revision: z.number().int().nonnegative(), instances: z.array(instance) });
export const heartbeatResult = z.object({ lastHeartbeat: z.number().int() });

export const restErrorBody = z.object({
  error: z.object({
    /** Stable error code, `WEFT_ERR_<AREA>_<WHAT>`. */
    code: z.string(),
    message: z.string(),
    /** One entry per offending field, e.g. `instance.address`. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});
export type RestErrorBody = z.output<typeof restErrorBody>;
