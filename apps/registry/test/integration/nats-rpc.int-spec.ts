import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { instance, registryRpcSubject, REGISTRY_RPC_METHODS, service, type RegistryRpcMethod, type RpcReply } from '@weft/api';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { startReplica } from './registry-helpers';
import type { RunningRegistry } from '../../src/app/bootstrap';
import { Readiness } from '../../src/app/readiness';
import { instanceList, serviceList } from '../../src/http/rest-schemas';

const TOKEN = 'nats-test-token-0123456789';

type Reply = RpcReply<unknown>;
type ErrorReply = Extract<Reply, { ok: false }>;

/** A plain NATS request with a JSON (or raw) payload, as a non-Nest client sends it. */
async function rpc(nc: NatsConnection, prefix: string, method: RegistryRpcMethod, payload: unknown, token?: string): Promise<Reply> {
  const h = natsHeaders();
  if (token !== undefined) h.set('authorization', `Bearer ${token}`);
  const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const msg = await nc.request(registryRpcSubject(method, prefix), data, { timeout: 5000, headers: h });
  return msg.json<Reply>();
}

function failure(reply: Reply): ErrorReply['error'] {
  if (reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
  return reply.error;
}

function result(reply: Reply): unknown {
  if (!reply.ok) throw new Error(`expected ok, got ${JSON.stringify(reply.error)}`);
  return reply.result;
}

describe('registry NATS request/reply API (real NATS + Redis)', () => {
  let infra: TestInfra;
  let open: RunningRegistry;
  let secured: TestInfra;
  let securedReplica: RunningRegistry;
  const call = (method: RegistryRpcMethod, payload: unknown): Promise<Reply> => rpc(infra.nats, infra.subjectPrefix, method, payload);

  beforeAll(async () => {
    infra = await createTestInfra('nats-rpc');
    open = await startReplica(infra, 'rpc-open');
    // A second cluster (own prefixes) whose replica requires a token.
    secured = await createTestInfra('nats-rpc-auth');
    securedReplica = await startReplica(secured, 'rpc-secured', { WEFT_REGISTRY_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await open.close();
    await securedReplica.close();
    await infra.close();
    await secured.close();
  });

  it('reports readiness once every method is subscribed', () => {
    expect(open.app.get(Readiness).status().checks['nats-rpc']).toBe(true);
    expect(REGISTRY_RPC_METHODS).toHaveLength(8);
  });

  it('upserts, reads and lists services', async () => {
    const up = service.parse(result(await call('upsertService', { namespace: 'shop', name: 'reviews', ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }] })));
    expect(up).toMatchObject({ namespace: 'shop', name: 'reviews', revision: 1, source: 'api', hosts: ['reviews.shop.svc.cluster.local'] });
    expect(result(await call('getService', { namespace: 'shop', name: 'reviews' }))).toEqual(up);
    expect(serviceList.parse(result(await call('listServices', { namespace: 'shop' }))).services).toEqual([up]);
    // An empty payload is `{}`: every namespace.
    expect(serviceList.parse(result(await call('listServices', ''))).services.map((s) => s.name)).toEqual(['reviews']);
  });

  it('registers instances and lists them by selector and health', async () => {
    const a = instance.parse(result(await call('register', { namespace: 'shop', service: 'reviews', instance: { id: 'a', address: '10.0.0.1', labels: { version: 'v1' } } })));
    expect(a).toMatchObject({ id: 'a', status: 'healthy', namespace: 'shop', service: 'reviews' });
    result(await call('register', { namespace: 'shop', service: 'reviews', instance: { id: 'b', address: '10.0.0.2', labels: { version: 'v2' } } }));
    result(await call('register', { namespace: 'shop', service: 'reviews', instance: { id: 'c', address: '10.0.0.3', labels: { version: 'v1' }, draining: true } }));
    const v1 = instanceList.parse(result(await call('listInstances', { namespace: 'shop', service: 'reviews', selector: 'version=v1' })));
    expect(v1.instances.map((i) => i.id)).toEqual(['a', 'c']);
    const healthy = instanceList.parse(result(await call('listInstances', { namespace: 'shop', service: 'reviews', selector: 'version=v1', healthyOnly: true })));
    expect(healthy.instances.map((i) => i.id)).toEqual(['a']);
    expect(healthy.revision).toBe(4);
  });

  it('answers invalid payloads with ok:false invalid-argument naming the field', async () => {
    const badAddress = failure(await call('register', { namespace: 'shop', service: 'reviews', instance: { id: 'x', address: 'not an address!' } }));
    expect(badAddress).toMatchObject({ kind: 'invalid-argument', code: 'WEFT_ERR_API_INVALID_ARGUMENT' });
    expect(badAddress.issues.map((i) => i.path)).toEqual(['instance.address']);
    const badPort = failure(await call('upsertService', { namespace: 'shop', name: 'Bad', ports: [{ name: 'http', number: 70000, protocol: 'http' }] }));
    expect(badPort.issues.map((i) => i.path).sort()).toEqual(['name', 'ports.0.number']);
    const badSelector = failure(await call('listInstances', { namespace: 'shop', service: 'reviews', selector: 'version in (v1' }));
    expect(badSelector.issues.map((i) => i.path)).toEqual(['selector']);
    const notJson = failure(await call('getService', '{"namespace": '));
    expect(notJson).toMatchObject({ kind: 'invalid-argument', code: 'WEFT_ERR_API_MALFORMED_REQUEST' });
  });

  it('heartbeats; an unknown instance is not-found and nothing is written', async () => {
    const hb = result(await call('heartbeat', { namespace: 'shop', service: 'reviews', id: 'a' }));
    expect(hb).toEqual({ lastHeartbeat: expect.any(Number) });
    const before = instanceList.parse(result(await call('listInstances', { namespace: 'shop', service: 'reviews' })));
    expect(failure(await call('heartbeat', { namespace: 'shop', service: 'reviews', id: 'ghost' }))).toMatchObject({
      kind: 'not-found',
      code: 'WEFT_ERR_REGISTRY_NOT_FOUND',
    });
    const after = instanceList.parse(result(await call('listInstances', { namespace: 'shop', service: 'reviews' })));
    expect(after.revision).toBe(before.revision);
    expect(after.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });

  it('deregisters and deletes (result null), then answers not-found', async () => {
    expect(result(await call('deregister', { namespace: 'shop', service: 'reviews', id: 'b' }))).toBeNull();
    expect(failure(await call('deregister', { namespace: 'shop', service: 'reviews', id: 'b' })).kind).toBe('not-found');
    expect(result(await call('deleteService', { namespace: 'shop', name: 'reviews' }))).toBeNull();
    expect(failure(await call('getService', { namespace: 'shop', name: 'reviews' })).kind).toBe('not-found');
    expect(failure(await call('listInstances', { namespace: 'shop', service: 'reviews' })).kind).toBe('not-found');
  });

  it('refuses mutating calls without the authorization header when a token is set; reads stay open', async () => {
    const p = secured.subjectPrefix;
    const spec = { namespace: 'auth', name: 'web', ports: [{ name: 'http', number: 8080, protocol: 'http' }] };
    expect(failure(await rpc(secured.nats, p, 'upsertService', spec))).toMatchObject({ kind: 'unauthenticated', code: 'WEFT_ERR_AUTH_MISSING' });
    expect(failure(await rpc(secured.nats, p, 'upsertService', spec, 'wrong-token-0123456789'))).toMatchObject({ code: 'WEFT_ERR_AUTH_INVALID' });
    expect(failure(await rpc(secured.nats, p, 'getService', { namespace: 'auth', name: 'web' })).kind).toBe('not-found');
    result(await rpc(secured.nats, p, 'upsertService', spec, TOKEN));
    const reg = { namespace: 'auth', service: 'web', instance: { id: 'w1', address: '10.2.0.1' } };
    expect(failure(await rpc(secured.nats, p, 'register', reg)).kind).toBe('unauthenticated');
    result(await rpc(secured.nats, p, 'register', reg, TOKEN));
    const ref = { namespace: 'auth', service: 'web', id: 'w1' };
    expect(failure(await rpc(secured.nats, p, 'heartbeat', ref)).kind).toBe('unauthenticated');
    expect(failure(await rpc(secured.nats, p, 'deregister', ref)).kind).toBe('unauthenticated');
    expect(instanceList.parse(result(await rpc(secured.nats, p, 'listInstances', { namespace: 'auth', service: 'web' }))).instances).toHaveLength(1);
  });

  it('counts calls by method and outcome', async () => {
    // Counted before the reply is sent, so every call above is already in.
    const metrics = await (await fetch(`http://127.0.0.1:${open.httpPort}/metrics`)).text();
    expect(metrics).toContain('weft_registry_requests_total{api="nats",method="register",outcome="ok"} 3');
    expect(metrics).toContain('weft_registry_requests_total{api="nats",method="register",outcome="invalid-argument"} 1');
    expect(metrics).toContain('weft_registry_requests_total{api="nats",method="heartbeat",outcome="not-found"} 1');
  });

  it('drains its subscriptions on shutdown: requests then find no responders', async () => {
    const extra = await createTestInfra('nats-rpc-drain');
    const replica = await startReplica(extra, 'rpc-drain');
    expect(result(await rpc(extra.nats, extra.subjectPrefix, 'listServices', {}))).toEqual({ services: [] });
    await replica.close();
    await expect(rpc(extra.nats, extra.subjectPrefix, 'listServices', {})).rejects.toThrow(/no responders/i);
    await extra.close();
  });
});
