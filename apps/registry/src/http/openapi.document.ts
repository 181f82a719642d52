import {
  componentResponses,
  componentSchemas,
  errorResponseRef,
  pathParameter,
  queryParameter,
  schemaRef,
  type JsonSchema,
} from './openapi-components';
import { OPERATION_DOCS, type OperationDoc } from './openapi-operations';
import { isMutatingMethod, REST_ROUTES, type RestRoute } from './rest-routes';

/**
 * The registry's OpenAPI 3.1 document, assembled from the route table, the per-operation docs and
 * components generated from the zod schemas. Built once at start: a schema zod cannot express fails
 * the start-up, not a request.
 */
export type OpenApiDocument = Readonly<Record<string, unknown>>;

/** `/v1/namespaces/:ns/services/:name` → `/v1/namespaces/{ns}/services/{name}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function jsonContent(schema: JsonSchema): JsonSchema {
  return { 'application/json': { schema } };
}

function successResponse(doc: OperationDoc): JsonSchema {
  const { description, schema } = doc.success;
  if (schema !== null) return { description, content: jsonContent({ $ref: schemaRef(schema) }) };
  if (doc.tag === 'meta') return { description, content: jsonContent({ type: 'object' }) };
  return { description };
}

function operation(route: RestRoute): JsonSchema {
  const doc = OPERATION_DOCS[route.operation];
  const responses: JsonSchema = { [String(doc.success.status)]: successResponse(doc) };
  for (const status of doc.errors) responses[String(status)] = errorResponseRef(status);
  const op: JsonSchema = {
    operationId: route.operation,
    tags: [doc.tag],
    summary: doc.summary,
    parameters: [...doc.params.map(pathParameter), ...doc.query.map(queryParameter)],
    responses,
    security: isMutatingMethod(route.method) ? [{ bearerAuth: [] }] : [],
  };
  if (doc.body !== null) op['requestBody'] = { required: true, content: jsonContent({ $ref: schemaRef(doc.body) }) };
  return op;
}

function paths(): Record<string, Record<string, JsonSchema>> {
  const out: Record<string, Record<string, JsonSchema>> = {};
  for (const route of REST_ROUTES) {
    const path = openApiPath(route.path);
    out[path] = { ...out[path], [route.method.toLowerCase()]: operation(route) };
  }
  return out;
}

export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Weft registry',
      version: 'v1',
      description:
        'Service registry of the Weft mesh. The same operations are served over NATS request/reply ' +
        '(`weft.registry.rpc.<operationId>`) and gRPC (`weft.registry.v1.Registry`). Mutating calls need ' +
        '`Authorization: Bearer <token>` when the registry is configured with a token.',
    },
    tags: [
      { name: 'services', description: 'Services and their ports' },
      { name: 'instances', description: 'Instances (endpoints) of a service' },
      { name: 'meta', description: 'This document' },
    ],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      responses: componentResponses(),
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'WEFT_REGISTRY_TOKEN' } },
    },
  };
}
