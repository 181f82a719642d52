import type { PathParam, QueryParam } from './openapi-components';
import type { RestOperation } from './rest-routes';

/** What the OpenAPI document says about each REST operation (its route comes from REST_ROUTES). */
export interface OperationDoc {
  readonly tag: 'services' | 'instances' | 'meta';
  readonly summary: string;
  readonly params: readonly PathParam[];
  readonly query: readonly QueryParam[];
  /** Component schema of the JSON request body, or null. */
  readonly body: string | null;
  readonly success: { readonly status: number; readonly description: string; readonly schema: string | null };
  readonly errors: readonly number[];
}

const SVC: readonly PathParam[] = ['ns', 'name'];
const INST: readonly PathParam[] = ['ns', 'name', 'id'];

export const OPERATION_DOCS: Readonly<Record<RestOperation, OperationDoc>> = {
  listServices: {
    tag: 'services',
    summary: 'List services, optionally of one namespace',
    params: [],
    query: ['namespace'],
    body: null,
    success: { status: 200, description: 'The services, sorted by namespace/name.', schema: 'ServiceList' },
    errors: [400, 500, 503],
  },
  upsertService: {
    tag: 'services',
    summary: 'Create or replace a service (namespace and name come from the path; in the body they are optional and must match)',
    params: SVC,
    query: [],
    body: 'ServiceSpec',
    success: { status: 200, description: 'The stored service.', schema: 'Service' },
    errors: [400, 401, 409, 413, 500, 503],
  },
  getService: {
    tag: 'services',
    summary: 'Read a service',
    params: SVC,
    query: [],
    body: null,
    success: { status: 200, description: 'The service.', schema: 'Service' },
    errors: [400, 404, 500, 503],
  },
  deleteService: {
    tag: 'services',
    summary: 'Delete a service and all its instances',
    params: SVC,
    query: [],
    body: null,
    success: { status: 204, description: 'Deleted.', schema: null },
    errors: [400, 401, 404, 409, 500, 503],
  },
  register: {
    tag: 'instances',
    summary: 'Register (create or replace) an instance; 201 also when it replaced an earlier registration of the same id',
    params: SVC,
    query: [],
    body: 'InstanceSpec',
    success: { status: 201, description: 'The stored instance.', schema: 'Instance' },
    errors: [400, 401, 404, 409, 413, 500, 503],
  },
  listInstances: {
    tag: 'instances',
    summary: 'List the instances of a service, optionally filtered by label selector and health',
    params: SVC,
    query: ['selector', 'healthy'],
    body: null,
    success: { status: 200, description: 'The service revision and the matching instances.', schema: 'InstanceList' },
    errors: [400, 404, 500, 503],
  },
  deregister: {
    tag: 'instances',
    summary: 'Deregister an instance',
    params: INST,
    query: [],
    body: null,
    success: { status: 204, description: 'Deregistered.', schema: null },
    errors: [400, 401, 404, 409, 500, 503],
  },
  heartbeat: {
    tag: 'instances',
    summary: 'Heartbeat an instance (renews its TTL; revives it if the TTL had expired)',
    params: INST,
    query: [],
    body: null,
    success: { status: 200, description: 'When the heartbeat was recorded (ms since the epoch).', schema: 'HeartbeatResult' },
    errors: [400, 401, 404, 500, 503],
  },
  openapi: {
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    params: [],
    query: [],
    body: null,
    success: { status: 200, description: 'The OpenAPI document.', schema: null },
    errors: [500],
  },
};
