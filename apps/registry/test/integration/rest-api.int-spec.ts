import { z } from 'zod';
import { instanceSpec, service, serviceSpec } from '@weft/api';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { startReplica } from './registry-helpers';
import type { RunningRegistry } from '../../src/app/bootstrap';
import { RegistryService } from '../../src/registry/registry.service';
import { heartbeatResult, instanceList, restErrorBody } from '../../src/http/rest-schemas';

const TOKEN = 'rest-test-token-0123456789';

interface Res {
  status: number;
  headers: Headers;
  body: unknown;
}

interface Operation {
  operationId: string;
  security: unknown[];
  parameters: { name: string; in: string }[];
  responses: Record<string, unknown>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { required?: string[]; properties?: Record<string, { items?: unknown }> }>;
    responses: Record<string, { content: Record<string, { schema: unknown }> }>;
    securitySchemes: Record<string, unknown>;
  };
}

interface CallOptions {
  body?: unknown;
  raw?: string;
  token?: string;
}

async function call(replica: RunningRegistry, method: string, path: string, opts: CallOptions = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(`http://127.0.0.1:${replica.httpPort}${path}`, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) };
}

/** The error body, checked against the documented shape. */
const err = (res: Res) => restErrorBody.parse(res.body).error;
const paths = (res: Res): string[] => err(res).issues.map((i) => i.path);
const ids = (res: Res): string[] => instanceList.parse(res.body).instances.map((i) => i.id);
const REVIEWS = '/v1/namespaces/shop/services/reviews';

describe('registry REST API (real NATS + Redis)', () => {
  let infra: TestInfra;
  let open: RunningRegistry;
  let secured: RunningRegistry;

  beforeAll(async () => {
    infra = await createTestInfra('rest');
    open = await startReplica(infra, 'rest-open');
    secured = await startReplica(infra, 'rest-secured', { WEFT_REGISTRY_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await open.close();
    await secured.close();
    await infra.close();
  });

  it('creates a service, reads it back and lists it by namespace', async () => {
    const put = await call(open, 'PUT', REVIEWS, { body: { ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }] } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ namespace: 'shop', name: 'reviews', source: 'api', revision: 1, hosts: ['reviews.shop.svc.cluster.local'] });
    expect(service.parse(put.body).ports).toEqual([{ name: 'http', number: 9080, protocol: 'http' }]);
    expect((await call(open, 'GET', REVIEWS)).body).toEqual(put.body);
    expect((await call(open, 'GET', '/v1/services?namespace=shop')).body).toEqual({ services: [put.body] });
    expect((await call(open, 'GET', '/v1/services?namespace=other')).body).toEqual({ services: [] });
  });

  it('accepts namespace/name in the body only when they match the path', async () => {
    const same = await call(open, 'PUT', REVIEWS, { body: { namespace: 'shop', name: 'reviews', ports: [{ name: 'http', number: 9080, protocol: 'http' }] } });
    expect(same.status).toBe(200);
    const other = await call(open, 'PUT', REVIEWS, { body: { name: 'ratings', ports: [{ name: 'http', number: 9080, protocol: 'http' }] } });
    expect(other.status).toBe(400);
    expect(paths(other)).toEqual(['name']);
  });

  it('registers instances through the API and lists them by selector and health', async () => {
    const a = await call(open, 'POST', `${REVIEWS}/instances`, { body: { id: 'a', address: '10.0.0.1', labels: { version: 'v1' } } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ id: 'a', namespace: 'shop', service: 'reviews', status: 'healthy', ports: {}, weight: 1 });
    await call(open, 'POST', `${REVIEWS}/instances`, { body: { id: 'b', address: '10.0.0.2', labels: { version: 'v2' } } });
    await call(open, 'POST', `${REVIEWS}/instances`, { body: { id: 'c', address: 'c.example.com', labels: { version: 'v1' }, draining: true } });
    const v1 = await call(open, 'GET', `${REVIEWS}/instances?selector=version%3Dv1`);
    expect(v1.status).toBe(200);
    expect(ids(v1)).toEqual(['a', 'c']);
    const healthy = await call(open, 'GET', `${REVIEWS}/instances?selector=version%3Dv1&healthy=true`);
    expect(ids(healthy)).toEqual(['a']);
    expect(instanceList.parse(healthy.body).revision).toBe(instanceList.parse(v1.body).revision);
    const badSelector = await call(open, 'GET', `${REVIEWS}/instances?selector=version%20in%20(v1`);
    expect([badSelector.status, paths(badSelector)]).toEqual([400, ['selector']]);
  });

  it('answers 400 naming the field for a bad payload, and writes nothing', async () => {
    const badAddress = await call(open, 'POST', `${REVIEWS}/instances`, { body: { id: 'x', address: 'not an address!' } });
    expect(badAddress.status).toBe(400);
    expect(err(badAddress)).toMatchObject({ code: 'WEFT_ERR_API_INVALID_ARGUMENT' });
    expect(paths(badAddress)).toEqual(['instance.address']);
    const badPort = await call(open, 'POST', `${REVIEWS}/instances`, { body: { id: 'x', address: '10.0.0.9', ports: { http: 70000 } } });
    expect(paths(badPort)).toEqual(['instance.ports.http']);
    const upper = await call(open, 'PUT', '/v1/namespaces/shop/services/Reviews', { body: { ports: [{ name: 'http', number: 70000, protocol: 'http' }] } });
    expect(upper.status).toBe(400);
    expect(paths(upper).sort()).toEqual(['name', 'ports.0.number']);
    expect((await call(open, 'GET', '/v1/namespaces/shop/services/Reviews')).status).toBe(400);
    const listed = await call(open, 'GET', `${REVIEWS}/instances`);
    expect(ids(listed)).toEqual(['a', 'b', 'c']);
  });

  it('answers malformed JSON and oversize bodies in the same error shape', async () => {
    const malformed = await call(open, 'PUT', REVIEWS, { raw: '{"ports": [' });
    expect(malformed.status).toBe(400);
    expect(err(malformed)).toMatchObject({ code: 'WEFT_ERR_API_MALFORMED_REQUEST', issues: [] });
    const notObject = await call(open, 'PUT', REVIEWS, { body: [1, 2] });
    expect([notObject.status, paths(notObject)]).toEqual([400, ['(root)']]);
    const huge = await call(open, 'POST', `${REVIEWS}/instances`, { raw: JSON.stringify({ id: 'h', address: '10.0.0.1', metadata: { x: 'y'.repeat(1_200_000) } }) });
    expect(huge.status).toBe(413);
    expect(err(huge).code).toBe('WEFT_ERR_API_BODY_TOO_LARGE');
    const unknownRoute = await call(open, 'GET', '/v1/nope');
    expect([unknownRoute.status, err(unknownRoute).code]).toEqual([404, 'WEFT_ERR_API_ROUTE_NOT_FOUND']);
  });

  it('renews a heartbeat; a heartbeat for an unknown instance is 404 and writes nothing', async () => {
    const before = await call(open, 'GET', `${REVIEWS}/instances`);
    const a = instanceList.parse(before.body).instances.find((i) => i.id === 'a');
    const hb = await call(open, 'PUT', `${REVIEWS}/instances/a/heartbeat`);
    expect(hb.status).toBe(200);
    expect(heartbeatResult.parse(hb.body).lastHeartbeat).toBeGreaterThanOrEqual(a?.lastHeartbeat ?? Infinity);
    const ghost = await call(open, 'PUT', `${REVIEWS}/instances/ghost/heartbeat`);
    expect(ghost.status).toBe(404);
    expect(err(ghost).code).toBe('WEFT_ERR_REGISTRY_NOT_FOUND');
    const after = await call(open, 'GET', `${REVIEWS}/instances`);
    expect(instanceList.parse(after.body).revision).toBe(instanceList.parse(before.body).revision);
    expect(ids(after)).toEqual(['a', 'b', 'c']);
    expect(await infra.redis.hexists(`${infra.redisPrefix}inst:shop/reviews`, 'ghost')).toBe(0);
  });

  it('deregisters instances and deletes services (204), then answers 404', async () => {
    expect((await call(open, 'DELETE', `${REVIEWS}/instances/b`)).status).toBe(204);
    expect((await call(open, 'DELETE', `${REVIEWS}/instances/b`)).status).toBe(404);
    const listed = await call(open, 'GET', `${REVIEWS}/instances`);
    expect(ids(listed)).toEqual(['a', 'c']);
    expect((await call(open, 'DELETE', REVIEWS)).status).toBe(204);
    expect((await call(open, 'GET', REVIEWS)).status).toBe(404);
    expect((await call(open, 'GET', `${REVIEWS}/instances`)).status).toBe(404);
    expect((await call(open, 'PUT', `${REVIEWS}/instances/a/heartbeat`)).status).toBe(404);
  });

  it('answers 409 for entries managed by the static file', async () => {
    const registry = open.app.get(RegistryService);
    await registry.upsertService(serviceSpec.parse({ namespace: 'shop', name: 'legacy', ports: [{ name: 'tcp', number: 5432, protocol: 'tcp' }] }), 'static');
    await registry.register({ namespace: 'shop', service: 'legacy', instance: instanceSpec.parse({ id: 'db', address: '10.1.0.1' }) }, 'static');
    const put = await call(open, 'PUT', '/v1/namespaces/shop/services/legacy', { body: { ports: [{ name: 'tcp', number: 5433, protocol: 'tcp' }] } });
    expect([put.status, err(put).code]).toEqual([409, 'WEFT_ERR_REGISTRY_CONFLICT']);
    expect((await call(open, 'DELETE', '/v1/namespaces/shop/services/legacy/instances/db')).status).toBe(409);
    expect((await call(open, 'DELETE', '/v1/namespaces/shop/services/legacy')).status).toBe(409);
    expect((await call(open, 'GET', '/v1/namespaces/shop/services/legacy')).body).toMatchObject({ ports: [{ number: 5432 }] });
  });

  it('requires the bearer token on mutating calls when one is configured; reads stay open', async () => {
    const spec = { ports: [{ name: 'http', number: 8080, protocol: 'http' }] };
    const path = '/v1/namespaces/auth/services/web';
    const missing = await call(secured, 'PUT', path, { body: spec });
    expect([missing.status, err(missing).code]).toEqual([401, 'WEFT_ERR_AUTH_MISSING']);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await call(secured, 'PUT', path, { body: spec, token: `${TOKEN}x` });
    expect([wrong.status, err(wrong).code]).toEqual([401, 'WEFT_ERR_AUTH_INVALID']);
    expect((await call(secured, 'GET', path)).status).toBe(404);
    expect((await call(secured, 'PUT', path, { body: spec, token: TOKEN })).status).toBe(200);
    expect((await call(secured, 'GET', path)).status).toBe(200);
    const instance = { id: 'w1', address: '10.2.0.1' };
    expect((await call(secured, 'POST', `${path}/instances`, { body: instance })).status).toBe(401);
    expect((await call(secured, 'POST', `${path}/instances`, { body: instance, token: TOKEN })).status).toBe(201);
    expect((await call(secured, 'PUT', `${path}/instances/w1/heartbeat`)).status).toBe(401);
    expect((await call(secured, 'DELETE', `${path}/instances/w1`)).status).toBe(401);
    expect((await call(secured, 'DELETE', `${path}/instances/w1`, { token: TOKEN })).status).toBe(204);
    expect((await call(secured, 'DELETE', path)).status).toBe(401);
    expect((await call(secured, 'DELETE', path, { token: TOKEN })).status).toBe(204);
  });

  it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
    const registry = open.app.get(RegistryService);
    const spy = jest.spyOn(registry, 'listServices').mockRejectedValueOnce(new Error('redis at 10.9.9.9 exploded'));
    const res = await call(open, 'GET', '/v1/services');
    spy.mockRestore();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'WEFT_ERR_INTERNAL', message: 'internal error', issues: [] } });
  });

  it('counts calls by operation and outcome', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${open.httpPort}/metrics`)).text();
    expect(metrics).toContain('weft_registry_requests_total{api="rest",method="register",outcome="ok"} 3');
    expect(metrics).toContain('weft_registry_requests_total{api="rest",method="register",outcome="invalid-argument"} 3');
    expect(metrics).toContain('weft_registry_requests_total{api="rest",method="heartbeat",outcome="not-found"} 2');
    expect(metrics).toContain('weft_registry_requests_total{api="rest",method="listServices",outcome="internal"} 1');
  });

  it('serves an OpenAPI 3.1 document with every route and components generated from zod', async () => {
    const res = await call(open, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(
      ([p, byMethod]) => Object.entries(byMethod).map(([m, op]) => `${m.toUpperCase()} ${p} ${op.operationId} ${op.security.length}`),
    );
    expect(ops.sort()).toEqual(
      [
        'GET /v1/services listServices 0',
        'PUT /v1/namespaces/{ns}/services/{name} upsertService 1',
        'GET /v1/namespaces/{ns}/services/{name} getService 0',
        'DELETE /v1/namespaces/{ns}/services/{name} deleteService 1',
        'POST /v1/namespaces/{ns}/services/{name}/instances register 1',
        'GET /v1/namespaces/{ns}/services/{name}/instances listInstances 0',
        'DELETE /v1/namespaces/{ns}/services/{name}/instances/{id} deregister 1',
        'PUT /v1/namespaces/{ns}/services/{name}/instances/{id}/heartbeat heartbeat 1',
        'GET /v1/openapi.json openapi 0',
      ].sort(),
    );
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas).sort()).toEqual(['Error', 'HeartbeatResult', 'Instance', 'InstanceList', 'InstanceSpec', 'Service', 'ServiceList', 'ServiceSpec']);
    const { $schema: _s, ...instanceSpecJson } = z.toJSONSchema(instanceSpec, { io: 'input', target: 'draft-2020-12' });
    expect(schemas['InstanceSpec']).toEqual(instanceSpecJson);
    expect(schemas['ServiceSpec'].required).toEqual(['ports']);
    expect(schemas['ServiceList'].properties?.['services'].items).toEqual({ $ref: '#/components/schemas/Service' });
    expect(doc.components.securitySchemes['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const listInstances = doc.paths['/v1/namespaces/{ns}/services/{name}/instances'].get;
    expect(listInstances.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:ns', 'path:name', 'query:selector', 'query:healthy']);
    expect(doc.paths['/v1/namespaces/{ns}/services/{name}/instances'].post.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(doc.components.responses['BadRequest'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});
