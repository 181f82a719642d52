import type { RegistryRpcMethod } from '@weft/api';

/**
 * The REST routes of the registry, declared once: the controllers take their paths from here, the
 * OpenAPI document lists them, and request metrics name each call by its operation (the same names as
 * the NATS and gRPC methods).
 */
export type RestOperation = RegistryRpcMethod | 'openapi';
export type RestMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RestRoute {
  readonly operation: RestOperation;
  readonly method: RestMethod;
  /** Fastify path syntax (`:param`). */
  readonly path: string;
}

export const SERVICES_PATH = '/v1/services';
export const SERVICE_PATH = '/v1/namespaces/:ns/services/:name';
export const INSTANCES_PATH = `${SERVICE_PATH}/instances`;
export const INSTANCE_PATH = `${INSTANCES_PATH}/:id`;
export const HEARTBEAT_PATH = `${INSTANCE_PATH}/heartbeat`;
export const OPENAPI_PATH = '/v1/openapi.json';

export const REST_ROUTES: readonly RestRoute[] = [
  { operation: 'listServices', method: 'GET', path: SERVICES_PATH },
  { operation: 'upsertService', method: 'PUT', path: SERVICE_PATH },
  { operation: 'getService', method: 'GET', path: SERVICE_PATH },
  { operation: 'deleteService', method: 'DELETE', path: SERVICE_PATH },
  { operation: 'register', method: 'POST', path: INSTANCES_PATH },
  { operation: 'listInstances', method: 'GET', path: INSTANCES_PATH },
  { operation: 'deregister', method: 'DELETE', path: INSTANCE_PATH },
  { operation: 'heartbeat', method: 'PUT', path: HEARTBEAT_PATH },
  { operation: 'openapi', method: 'GET', path: OPENAPI_PATH },
];

/** Mutating calls (everything but reads) need the bearer token when one is configured. */
export function isMutatingMethod(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

const BY_ROUTE = new Map(REST_ROUTES.map((r) => [`${r.method} ${r.path}`, r.operation]));

/** The operation a matched route serves (HEAD counts as its GET), or null outside the API. */
export function restOperationOf(method: string, routeUrl: string | undefined): RestOperation | null {
  if (routeUrl === undefined) return null;
  return BY_ROUTE.get(`${method === 'HEAD' ? 'GET' : method} ${routeUrl}`) ?? null;
}
