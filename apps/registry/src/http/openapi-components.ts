import { z } from 'zod';
import { dnsLabel, instance, instanceId, instanceSpec, labelSelector, service } from '@weft/api';
import { heartbeatResult, instanceList, listInstancesQuery, restErrorBody, serviceList, serviceSpecBody } from './rest-schemas';

/**
 * OpenAPI 3.1 components generated with zod 4's `z.toJSONSchema` (JSON Schema 2020-12, OpenAPI 3.1's
 * dialect) from the same schemas the edges validate with — never written by hand. Request bodies use
 * the schemas' input side (defaulted fields optional), responses their output side.
 */
export type JsonSchema = Record<string, unknown>;

export const schemaRef = (id: string): string => `#/components/schemas/${id}`;

/** Drops the per-document keywords zod adds; a component lives inside the OpenAPI document. */
function asComponent(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function generate(entries: readonly (readonly [string, z.ZodType])[], io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: schemaRef });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, asComponent(s as JsonSchema)]));
}

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return asComponent(z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema);
}

/** Component schemas: request bodies (input) and responses (output). */
export function componentSchemas(): Record<string, JsonSchema> {
  const inputs = generate(
    [
      ['ServiceSpec', serviceSpecBody],
      ['InstanceSpec', instanceSpec],
    ],
    'input',
  );
  const outputs = generate(
    [
      ['Service', service],
      ['Instance', instance],
      ['ServiceList', serviceList],
      ['InstanceList', instanceList],
      ['HeartbeatResult', heartbeatResult],
      ['Error', restErrorBody],
    ],
    'output',
  );
  return { ...inputs, ...outputs };
}

export type PathParam = 'ns' | 'name' | 'id';
export type QueryParam = 'namespace' | 'selector' | 'healthy';

const PATH_PARAMS: Readonly<Record<PathParam, readonly [string, z.ZodType]>> = {
  ns: ['Namespace of the service (a DNS label).', dnsLabel],
  name: ['Name of the service (a DNS label).', dnsLabel],
  id: ['Instance id.', instanceId],
};

const QUERY_PARAMS: Readonly<Record<QueryParam, readonly [string, z.ZodType]>> = {
  namespace: ['Only services of this namespace; all namespaces when absent.', dnsLabel],
  selector: ['Kubernetes label selector, e.g. `version=v1,zone!=b,tier in (web,api)`.', labelSelector],
  healthy: ['`true`: only instances whose status is healthy.', listInstancesQuery.shape.healthy.unwrap()],
};

export function pathParameter(name: PathParam): JsonSchema {
  const [description, schema] = PATH_PARAMS[name];
  return { name, in: 'path', required: true, description, schema: jsonSchemaOf(schema) };
}

export function queryParameter(name: QueryParam): JsonSchema {
  const [description, schema] = QUERY_PARAMS[name];
  return { name, in: 'query', required: false, description, schema: jsonSchemaOf(schema) };
}

const ERROR_RESPONSES: Readonly<Record<number, readonly [string, string]>> = {
  400: ['BadRequest', 'Invalid request: `error.issues` names each offending field; also malformed JSON.'],
  401: ['Unauthorized', 'Missing or invalid bearer token (`WWW-Authenticate: Bearer`).'],
  404: ['NotFound', 'The service or instance does not exist.'],
  409: ['Conflict', 'The entry is managed by another source (the static file).'],
  413: ['PayloadTooLarge', 'The request body exceeds the size limit.'],
  500: ['InternalError', 'Unexpected server error (details are logged, not returned).'],
  503: ['Unavailable', 'The registry store is unavailable; retry.'],
};

export function errorResponseRef(status: number): JsonSchema {
  return { $ref: `#/components/responses/${ERROR_RESPONSES[status][0]}` };
}

/** Error responses, all with the Error body. */
export function componentResponses(): Record<string, JsonSchema> {
  const content = { 'application/json': { schema: { $ref: schemaRef('Error') } } };
  return Object.fromEntries(Object.values(ERROR_RESPONSES).map(([name, description]) => [name, { description, content }]));
}
