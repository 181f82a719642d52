import {
  instanceRef,
  listInstancesRequest,
  listServicesRequest,
  registerRequest,
  serviceRef,
  serviceSpec,
  type InstanceRef,
  type ListInstancesRequest,
  type ListServicesRequest,
  type RegisterRequest,
  type ServiceRef,
  type ServiceSpec,
} from '@weft/api';
import { parseOrThrow, WeftError } from '@weft/shared';
import { listInstancesQuery } from './rest-schemas';

/**
 * Builds each API request from the URL's path parameters plus the body or query, and validates it once
 * with the shared zod schema (the same shapes NATS and gRPC carry), so error paths name the field as
 * every client sees it (`instance.address`, `ports.0.number`).
 */
export type PathParams = Readonly<Record<string, string | undefined>>;
export type QueryParams = Readonly<Record<string, unknown>>;

const INVALID = 'WEFT_ERR_API_INVALID_ARGUMENT';

function jsonObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  const issue = { path: '(root)', message: 'must be a JSON object' };
  throw new WeftError(INVALID, 'invalid-argument', `invalid ${what}: (root): ${issue.message}`, { issues: [issue] });
}

/** A body field that repeats a path parameter must agree with it. */
function checkMatchesPath(body: Record<string, unknown>, field: string, fromPath: string | undefined): void {
  const value = body[field];
  if (value === undefined || value === fromPath) return;
  const issue = { path: field, message: `must match the URL path ("${String(fromPath)}") or be omitted` };
  throw new WeftError(INVALID, 'invalid-argument', `invalid service: ${field}: ${issue.message}`, { issues: [issue] });
}

export function serviceSpecFrom(params: PathParams, body: unknown): ServiceSpec {
  const spec = jsonObject(body, 'service');
  checkMatchesPath(spec, 'namespace', params['ns']);
  checkMatchesPath(spec, 'name', params['name']);
  return parseOrThrow(serviceSpec, { ...spec, namespace: params['ns'], name: params['name'] }, 'service');
}

export function serviceRefFrom(params: PathParams): ServiceRef {
  return parseOrThrow(serviceRef, { namespace: params['ns'], name: params['name'] }, 'service reference');
}

export function listServicesFrom(query: QueryParams): ListServicesRequest {
  return parseOrThrow(listServicesRequest, { namespace: query['namespace'] ?? null }, 'service query');
}

export function registerRequestFrom(params: PathParams, body: unknown): RegisterRequest {
  return parseOrThrow(registerRequest, { namespace: params['ns'], service: params['name'], instance: body }, 'registration');
}

export function instanceRefFrom(params: PathParams): InstanceRef {
  return parseOrThrow(instanceRef, { namespace: params['ns'], service: params['name'], id: params['id'] }, 'instance reference');
}

export function listInstancesFrom(params: PathParams, query: QueryParams): ListInstancesRequest {
  const q = parseOrThrow(listInstancesQuery, query, 'instance query');
  return parseOrThrow(
    listInstancesRequest,
    { namespace: params['ns'], service: params['name'], selector: q.selector ?? '', healthyOnly: q.healthy === 'true' },
    'instance query',
  );
}
