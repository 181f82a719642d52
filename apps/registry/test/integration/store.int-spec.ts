import { createTestInfra, Collector, waitFor, type TestInfra } from '@weft/testing';
import { registryEvent, registryEventSubject, serviceSpec, instanceSpec, type RegistryEvent } from '@weft/api';
import { RegistryStore } from '../../src/store/registry.store';
import { RegistryService } from '../../src/registry/registry.service';
import { EventPublisher } from '../../src/events/event-publisher';
import { RegistryMetrics } from '../../src/registry/registry.metrics';
import { silentLogger } from './registry-helpers';

describe('registry store and service layer (real Redis + NATS)', () => {
  let infra: TestInfra;
  let svc: RegistryService;
  const events = new Collector<RegistryEvent>();

  beforeAll(async () => {
    infra = await createTestInfra('store');
    const store = new RegistryStore(infra.redis, infra.redisPrefix);
    svc = new RegistryService(store, new EventPublisher(infra.nats, infra.subjectPrefix, silentLogger), new RegistryMetrics(), silentLogger);
    const sub = infra.nats.subscribe(`${infra.subjectPrefix}weft.registry.events.>`);
    void (async () => {
      for await (const m of sub) events.push(registryEvent.parse(m.json()));
    })();
    await infra.nats.flush();
  });
  afterAll(() => infra.close());

  const reviews = serviceSpec.parse({
    namespace: 'default',
    name: 'reviews',
    ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }],
  });

  it('registers, lists by selector, heartbeats and deregisters with consecutive revisions', async () => {
    const s = await svc.upsertService(reviews);
    expect(s.hosts).toEqual(['reviews.default.svc.cluster.local']);
    expect(s.revision).toBe(1);
    const a = await svc.register({ namespace: 'default', service: 'reviews', instance: instanceSpec.parse({ id: 'a', address: '10.0.0.1', labels: { version: 'v1' } }) });
    expect(a.status).toBe('healthy');
    await svc.register({ namespace: 'default', service: 'reviews', instance: instanceSpec.parse({ id: 'b', address: '10.0.0.2', labels: { version: 'v2' } }) });
    const v2 = await svc.listInstances({ namespace: 'default', service: 'reviews', selector: 'version in (v2,v3)', healthyOnly: true });
    expect(v2.instances.map((i) => i.id)).toEqual(['b']);
    expect(v2.revision).toBe(3);
    const hb = await svc.heartbeat({ namespace: 'default', service: 'reviews', id: 'a' });
    expect(hb.lastHeartbeat).toBeGreaterThanOrEqual(a.lastHeartbeat);
    await svc.deregister({ namespace: 'default', service: 'reviews', id: 'a' });
    const got = await events.count(4);
    expect(got.map((e) => [e.type, e.revision])).toEqual([
      ['service.upserted', 1],
      ['instance.registered', 2],
      ['instance.registered', 3],
      ['instance.deregistered', 4],
    ]);
    expect(registryEventSubject('default', 'reviews')).toBe('weft.registry.events.default.reviews');
  });

  it('rejects a heartbeat for an unknown instance with not-found and changes nothing', async () => {
    await expect(svc.heartbeat({ namespace: 'default', service: 'reviews', id: 'nope' })).rejects.toMatchObject({ kind: 'not-found' });
    const snap = await svc.listInstances({ namespace: 'default', service: 'reviews', selector: '', healthyOnly: false });
    expect(snap.revision).toBe(4);
  });

  it('marks an instance unhealthy at its TTL and removes it after the grace period, once each', async () => {
    await svc.register({ namespace: 'default', service: 'reviews', instance: instanceSpec.parse({ id: 'ttl', address: '10.0.0.9', ttlSeconds: 0.2, graceSeconds: 0.2 }) });
    await waitFor(async () => (await svc.sweep()) > 0 && true, { what: 'ttl expiry' });
    const after = await svc.listInstances({ namespace: 'default', service: 'reviews', selector: '', healthyOnly: false });
    expect(after.instances.find((i) => i.id === 'ttl')).toMatchObject({ status: 'unhealthy', ttl: 'expired' });
    await waitFor(async () => (await svc.sweep()) > 0 && true, { what: 'grace removal' });
    await events.until((es) => es.some((e) => e.type === 'instance.expired' && e.instance?.id === 'ttl'));
    const ttlEvents = events.items.filter((e) => e.instance?.id === 'ttl').map((e) => e.type);
    expect(ttlEvents).toEqual(['instance.registered', 'instance.health', 'instance.expired']);
  });
});

describe('changing a service health check', () => {
  let infra: TestInfra;
  let svc: RegistryService;
  beforeAll(async () => {
    infra = await createTestInfra('store-hc');
    svc = new RegistryService(
      new RegistryStore(infra.redis, infra.redisPrefix),
      new EventPublisher(infra.nats, infra.subjectPrefix, silentLogger),
      new RegistryMetrics(),
      silentLogger,
    );
  });
  afterAll(() => infra.close());

  it('puts existing instances under the check when added, and frees them when removed', async () => {
    const base = { namespace: 'default', name: 'hc', ports: [{ name: 'http', number: 80, protocol: 'http' }] };
    await svc.upsertService(serviceSpec.parse(base));
    await svc.register({ namespace: 'default', service: 'hc', instance: instanceSpec.parse({ id: 'x', address: '10.0.0.1' }) });
    const withCheck = await svc.upsertService(serviceSpec.parse({ ...base, healthCheck: { type: 'tcp' } }));
    const list = async () => (await svc.listInstances({ namespace: 'default', service: 'hc', selector: '', healthyOnly: false }));
    expect((await list()).instances[0].probe).toBe('unknown');
    expect(withCheck.revision).toBe((await list()).revision);
    const x = (await list()).instances[0];
    await svc.recordProbe(x, 'failing');
    expect((await list()).instances[0].status).toBe('unhealthy');
    await svc.upsertService(serviceSpec.parse(base));
    expect((await list()).instances[0]).toMatchObject({ probe: 'none', status: 'healthy' });
  });
});
