import * as grpc from '@grpc/grpc-js';
import { Collector, createTestInfra, waitFor, withDeadline, type TestInfra } from '@weft/testing';
import { serviceSpec } from '@weft/api';
import { startReplica } from './registry-helpers';
import type { RunningRegistry } from '../../src/app/bootstrap';
import { loadRegistryGrpc } from '../../src/grpc/registry-grpc.definition';
import type { ProtoInstance, ProtoService, ProtoWatchEvent } from '../../src/grpc/proto-types';
import { RegistryStore } from '../../src/store/registry.store';
import { WatchHub } from '../../src/watch/watch-hub';

const TOKEN = 'grpc-test-token-0123456789';
const { Client } = loadRegistryGrpc();

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryFn = (req: object, md: grpc.Metadata, cb: Callback) => void;

/** One unary call through a real @grpc/grpc-js client built from the same proto. */
function rpc<T>(client: grpc.Client, method: string, req: object, token: string | null = TOKEN): Promise<T> {
  const md = new grpc.Metadata();
  if (token !== null) md.set('authorization', `Bearer ${token}`);
  const fn = (client as unknown as Record<string, UnaryFn>)[method];
  return new Promise((resolve, reject) => fn.call(client, req, md, (err, res) => (err === null ? resolve(res as T) : reject(err))));
}

async function rpcError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  const err = await p.then(
    () => null,
    (e: grpc.ServiceError) => e,
  );
  if (err === null) throw new Error('expected the call to fail');
  return err;
}

function connect(replica: RunningRegistry): grpc.Client {
  return new Client(`127.0.0.1:${replica.grpcPort}`, grpc.credentials.createInsecure());
}

interface OpenWatch {
  readonly events: Collector<ProtoWatchEvent>;
  readonly status: Promise<grpc.ServiceError | null>;
  readonly call: grpc.ClientReadableStream<ProtoWatchEvent>;
}

function openWatch(client: grpc.Client, req: object): OpenWatch {
  const events = new Collector<ProtoWatchEvent>();
  const call = (client as unknown as { Watch(req: object): grpc.ClientReadableStream<ProtoWatchEvent> }).Watch(req);
  call.on('data', events.push);
  const status = new Promise<grpc.ServiceError | null>((resolve) => {
    call.on('error', (err: grpc.ServiceError) => resolve(err));
    call.on('end', () => resolve(null));
  });
  return { events, status, call };
}

const reviews = { namespace: 'default', name: 'reviews', ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }] };
const ids = (list: ProtoInstance[]): string[] => list.map((i) => i.spec.id);

describe('registry gRPC API (real server, client, NATS and Redis)', () => {
  let infra: TestInfra;
  let r1: RunningRegistry;
  let r2: RunningRegistry;
  let c1: grpc.Client;
  let c2: grpc.Client;

  beforeAll(async () => {
    infra = await createTestInfra('grpc');
    r1 = await startReplica(infra, 'grpc-1', { WEFT_REGISTRY_TOKEN: TOKEN });
    r2 = await startReplica(infra, 'grpc-2', { WEFT_REGISTRY_TOKEN: TOKEN });
    c1 = connect(r1);
    c2 = connect(r2);
  });
  afterAll(async () => {
    c1.close();
    c2.close();
    await r1.close();
    await r2.close();
    await infra.close();
  });

  it('binds a free port, reports it, and is ready once bound', async () => {
    expect(r1.grpcPort).toBeGreaterThan(0);
    expect(r2.grpcPort).not.toBe(r1.grpcPort);
    const ready = (await (await fetch(`http://127.0.0.1:${r1.httpPort}/readyz`)).json()) as { checks: Record<string, boolean> };
    expect(ready.checks['grpc']).toBe(true);
  });

  it('upserts a service, registers, lists by selector, heartbeats and deregisters', async () => {
    const svc = await rpc<ProtoService>(c1, 'UpsertService', reviews);
    expect(svc).toMatchObject({ source: 'api', revision: 1, spec: { hosts: ['reviews.default.svc.cluster.local'], healthCheck: null } });
    expect(svc.spec.ports).toEqual([{ name: 'http', number: 9080, protocol: 'http' }]);
    expect(await rpc<ProtoService>(c2, 'GetService', { namespace: 'default', name: 'reviews' }, null)).toEqual(svc);

    const a = await rpc<ProtoInstance>(c1, 'Register', { namespace: 'default', service: 'reviews', instance: { id: 'a', address: '10.0.0.1', labels: { version: 'v1' }, ttlSeconds: 0 } });
    expect(a).toMatchObject({ status: 'healthy', ttl: 'none', spec: { weight: 1, ttlSeconds: 0, graceSeconds: 60, locality: '' } });
    const b = await rpc<ProtoInstance>(c1, 'Register', { namespace: 'default', service: 'reviews', instance: { id: 'b', address: '10.0.0.2', labels: { version: 'v2' }, ports: { http: 19080 }, weight: 5, locality: 'eu/a' } });
    expect(b).toMatchObject({ ttl: 'passing', spec: { ttlSeconds: 30, weight: 5, locality: 'eu/a', ports: { http: 19080 } } });

    const v2 = await rpc<{ revision: number; instances: ProtoInstance[] }>(c2, 'ListInstances', { namespace: 'default', service: 'reviews', selector: 'version in (v2,v3)', healthyOnly: true }, null);
    expect({ revision: v2.revision, ids: ids(v2.instances) }).toEqual({ revision: 3, ids: ['b'] });

    const hb = await rpc<{ lastHeartbeat: number }>(c1, 'Heartbeat', { namespace: 'default', service: 'reviews', id: 'a' });
    expect(hb.lastHeartbeat).toBeGreaterThanOrEqual(a.registeredAt);

    expect(await rpc(c1, 'Deregister', { namespace: 'default', service: 'reviews', id: 'a' })).toEqual({});
    const after = await rpc<{ revision: number; instances: ProtoInstance[] }>(c1, 'ListInstances', { namespace: 'default', service: 'reviews' });
    expect({ revision: after.revision, ids: ids(after.instances) }).toEqual({ revision: 4, ids: ['b'] });
    const list = await rpc<{ services: ProtoService[] }>(c1, 'ListServices', {}, null);
    expect(list.services.map((s) => s.spec.name)).toEqual(['reviews']);
  });

  it('round-trips a central health check, applying the schema defaults to unset fields', async () => {
    const spec = { ...reviews, name: 'ratings', healthCheck: { type: 'http', portName: 'http', intervalSeconds: 5 } };
    const svc = await rpc<ProtoService>(c1, 'UpsertService', spec);
    expect(svc.spec.healthCheck).toMatchObject({ type: 'http', portName: 'http', portRef: 'portName', path: '/healthz', intervalSeconds: 5, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 3, expectedStatuses: [{ start: 200, end: 299 }] });
    const stored = await rpc<ProtoService>(c2, 'GetService', { namespace: 'default', name: 'ratings' });
    expect(stored.spec.healthCheck).toEqual(svc.spec.healthCheck);
    await rpc(c1, 'DeleteService', { namespace: 'default', name: 'ratings' });
    expect((await rpcError(rpc(c1, 'GetService', { namespace: 'default', name: 'ratings' }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('answers INVALID_ARGUMENT naming the offending field', async () => {
    const bad = await rpcError(rpc(c1, 'Register', { namespace: 'default', service: 'reviews', instance: { id: 'x', address: 'not an address!' } }));
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toContain('instance.address');
    expect(bad.metadata.get('weft-error-fields')).toEqual(['instance.address']);
    const noPorts = await rpcError(rpc(c1, 'UpsertService', { namespace: 'default', name: 'empty' }));
    expect(noPorts.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(noPorts.details).toMatch(/\bports\b/);
    const badPort = await rpcError(rpc(c1, 'Register', { namespace: 'default', service: 'reviews', instance: { id: 'x', address: '10.0.0.3', ports: { grpc: 1 } } }));
    expect(badPort.details).toContain('instance.ports.grpc');
    const badSelector = await rpcError(rpc(c1, 'ListInstances', { namespace: 'default', service: 'reviews', selector: 'version in (' }));
    expect([badSelector.code, badSelector.metadata.get('weft-error-fields')]).toEqual([grpc.status.INVALID_ARGUMENT, ['selector']]);
  });

  it('answers NOT_FOUND for a heartbeat of an unknown instance, changing nothing', async () => {
    const err = await rpcError(rpc(c1, 'Heartbeat', { namespace: 'default', service: 'reviews', id: 'nope' }));
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    const list = await rpc<{ revision: number }>(c1, 'ListInstances', { namespace: 'default', service: 'reviews' });
    expect(list.revision).toBe(4);
  });

  it('answers UNAUTHENTICATED to writes without a valid token; reads need none', async () => {
    const instance = { namespace: 'default', service: 'reviews', instance: { id: 'c', address: '10.0.0.4' } };
    expect((await rpcError(rpc(c1, 'Register', instance, null))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await rpcError(rpc(c1, 'Register', instance, 'wrong-token-0123456789abc'))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await rpcError(rpc(c1, 'Heartbeat', { namespace: 'default', service: 'reviews', id: 'b' }, null))).code).toBe(grpc.status.UNAUTHENTICATED);
    const list = await rpc<{ instances: ProtoInstance[] }>(c1, 'ListInstances', { namespace: 'default', service: 'reviews' }, null);
    expect(ids(list.instances)).toEqual(['b']);
  });

  it('answers FAILED_PRECONDITION when the service is managed by another source', async () => {
    const store = new RegistryStore(infra.redis, infra.redisPrefix);
    await store.upsertService(serviceSpec.parse({ ...reviews, name: 'pinned' }), 'static');
    const err = await rpcError(rpc(c1, 'UpsertService', { ...reviews, name: 'pinned' }));
    expect([err.code, err.metadata.get('weft-error-code')]).toEqual([grpc.status.FAILED_PRECONDITION, ['WEFT_ERR_REGISTRY_CONFLICT']]);
  });

  it('counts calls by method and outcome', async () => {
    const text = await (await fetch(`http://127.0.0.1:${r1.httpPort}/metrics`)).text();
    expect(text).toMatch(/weft_registry_requests_total\{api="grpc",method="register",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/weft_registry_requests_total\{api="grpc",method="register",outcome="unauthenticated"\} 2/);
    expect(text).toMatch(/weft_registry_requests_total\{api="grpc",method="heartbeat",outcome="not-found"\} 1/);
  });

  it('streams a snapshot, then changes made on another replica in revision order', async () => {
    await rpc(c1, 'UpsertService', { ...reviews, namespace: 'shop', name: 'cart' });
    const one = openWatch(c2, { namespace: 'shop', service: 'cart' });
    const all = openWatch(c2, { namespace: 'shop' });
    await one.events.count(1);
    await all.events.count(1);
    expect(one.events.items[0]).toMatchObject({ type: 'snapshot', service: 'cart', revision: 1, reason: 'initial', instances: [], serviceState: { spec: { name: 'cart' } } });

    for (const id of ['i1', 'i2']) await rpc(c1, 'Register', { namespace: 'shop', service: 'cart', instance: { id, address: '10.1.0.1' } });
    await rpc(c1, 'Deregister', { namespace: 'shop', service: 'cart', id: 'i1' });
    await rpc(c1, 'UpsertService', { ...reviews, namespace: 'shop', name: 'orders' });
    const got = await one.events.count(4);
    expect(got.slice(1).map((e) => [e.type, e.revision, e.instance?.spec.id])).toEqual([
      ['instance.registered', 2, 'i1'],
      ['instance.registered', 3, 'i2'],
      ['instance.deregistered', 4, 'i1'],
    ]);
    const ns = await all.events.until((es) => es.some((e) => e.service === 'orders'), { what: 'the new service on the namespace watch' });
    expect(ns.map((e) => [e.type, e.service, e.revision])).toEqual([
      ['snapshot', 'cart', 1],
      ['instance.registered', 'cart', 2],
      ['instance.registered', 'cart', 3],
      ['instance.deregistered', 'cart', 4],
      ['service.upserted', 'orders', 1],
    ]);

    const hub = r2.app.get(WatchHub, { strict: false });
    expect(hub.size).toBe(2);
    one.call.cancel();
    all.call.cancel();
    await waitFor(() => hub.size === 0, { what: 'watch subscriptions closed after the client cancelled' });
  });

  it('resumes without a snapshot when sinceRevision is current, and rejects a bad watch request', async () => {
    const resumed = openWatch(c2, { namespace: 'shop', service: 'cart', sinceRevision: 4 });
    await withDeadline(new Promise((resolve) => resumed.call.once('metadata', resolve)), 5000, 'watch headers');
    await rpc(c1, 'Register', { namespace: 'shop', service: 'cart', instance: { id: 'i3', address: '10.1.0.3' } });
    const [first] = await resumed.events.count(1);
    expect([first.type, first.revision]).toEqual(['instance.registered', 5]);
    resumed.call.cancel();

    const bad = openWatch(c2, { namespace: 'Not_A_Label' });
    const err = await withDeadline(bad.status, 5000, 'watch status');
    expect([err?.code, err?.metadata.get('weft-error-fields')]).toEqual([grpc.status.INVALID_ARGUMENT, ['namespace']]);
  });

  it('ends open watches with UNAVAILABLE when the replica shuts down', async () => {
    const r3 = await startReplica(infra, 'grpc-3', { WEFT_REGISTRY_TOKEN: TOKEN });
    const c3 = connect(r3);
    const w = openWatch(c3, { namespace: 'shop', service: 'cart' });
    await w.events.count(1);
    await withDeadline(r3.close(), 4000, 'replica shutdown');
    const err = await withDeadline(w.status, 5000, 'watch status');
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    c3.close();
  });
});
