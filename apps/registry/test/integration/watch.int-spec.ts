import { Collector, createTestInfra, type TestInfra } from '@weft/testing';
import { instanceSpec, registryEventSubject, serviceSpec, type RegistryEvent, type WatchRequest } from '@weft/api';
import { RegistryStore } from '../../src/store/registry.store';
import { RegistryService } from '../../src/registry/registry.service';
import { RegistryMetrics } from '../../src/registry/registry.metrics';
import { EventPublisher } from '../../src/events/event-publisher';
import { NatsEventFeed } from '../../src/watch/event-feed';
import { WatchHub } from '../../src/watch/watch-hub';
import { WatchMetrics } from '../../src/watch/watch.metrics';
import type { WatchEvent } from '../../src/watch/watch-event';
import { silentLogger } from './registry-helpers';

const spec = (namespace: string, name: string) => serviceSpec.parse({ namespace, name, ports: [{ name: 'http', number: 80, protocol: 'http' }] });
const inst = (id: string) => instanceSpec.parse({ id, address: '10.2.0.1' });
const brief = (e: WatchEvent) =>
  e.type === 'snapshot' ? `snapshot ${e.service}@${e.revision} ${e.reason} [${e.instances.map((i) => i.id).join(',')}]` : `${e.type} ${e.service}@${e.revision}`;

describe('WatchHub (real NATS and Redis)', () => {
  let infra: TestInfra;
  let store: RegistryStore;
  let registry: RegistryService;
  let metrics: RegistryMetrics;
  let hub: WatchHub;
  const ends: (() => void)[] = [];

  async function watch(req: Partial<WatchRequest> & { namespace: string }): Promise<Collector<WatchEvent>> {
    const got = new Collector<WatchEvent>();
    ends.push(await hub.watch({ service: null, sinceRevision: 0, ...req }, got.push));
    return got;
  }

  beforeAll(async () => {
    infra = await createTestInfra('watch');
    store = new RegistryStore(infra.redis, infra.redisPrefix);
    metrics = new RegistryMetrics();
    registry = new RegistryService(store, new EventPublisher(infra.nats, infra.subjectPrefix, silentLogger), metrics, silentLogger);
    hub = new WatchHub(new NatsEventFeed(infra.nats), registry, infra.subjectPrefix, new WatchMetrics(metrics.registry), silentLogger);
  });
  afterAll(async () => {
    ends.forEach((end) => end());
    await infra.close();
  });

  async function resyncCount(): Promise<number> {
    return (await metrics.registry.getSingleMetric('weft_registry_watch_resyncs_total')?.get())?.values[0]?.value ?? 0;
  }

  it('answers a forged revision jump with a resync snapshot of the true state', async () => {
    await registry.upsertService(spec('gap', 'reviews'));
    const a = await registry.register({ namespace: 'gap', service: 'reviews', instance: inst('a') });
    const got = await watch({ namespace: 'gap', service: 'reviews' });
    await got.count(1);

    const forged: RegistryEvent = { v: 1, type: 'instance.registered', namespace: 'gap', service: 'reviews', revision: 9, serviceState: null, instance: { ...a, id: 'ghost' }, reason: 'api', at: Date.now() };
    infra.nats.publish(registryEventSubject('gap', 'reviews', infra.subjectPrefix), JSON.stringify(forged));
    await got.count(2);
    await registry.register({ namespace: 'gap', service: 'reviews', instance: inst('b') });
    await got.count(3);
    expect(got.items.map(brief)).toEqual(['snapshot reviews@2 initial [a]', 'snapshot reviews@2 resync [a]', 'instance.registered reviews@3']);
    expect(got.items[1].serviceState).toMatchObject({ name: 'reviews', revision: 2 });
    expect(await resyncCount()).toBe(1);
  });

  it('resyncs after a change that reached Redis but was never published', async () => {
    const got = await watch({ namespace: 'gap', service: 'reviews' });
    await got.count(1);
    // A publisher that crashed between Redis and NATS: the store changed (revision 4), no event.
    await store.register('gap', 'reviews', inst('c'), 'api');
    await registry.register({ namespace: 'gap', service: 'reviews', instance: inst('d') });
    await got.count(2);
    await registry.deregister({ namespace: 'gap', service: 'reviews', id: 'a' });
    await got.count(3);
    expect(got.items.map(brief)).toEqual([
      'snapshot reviews@3 initial [a,b]',
      'snapshot reviews@5 resync [a,b,c,d]',
      'instance.deregistered reviews@6',
    ]);
  });

  it('a namespace watch delivers new services and snapshots a re-created one', async () => {
    await registry.upsertService(spec('shop', 'old'));
    await registry.deleteService({ namespace: 'shop', name: 'old' });
    const got = await watch({ namespace: 'shop' });
    await registry.upsertService(spec('shop', 'cart'));
    await registry.register({ namespace: 'shop', service: 'cart', instance: inst('c1') });
    await registry.upsertService(spec('shop', 'old'));
    await got.count(3);
    expect(got.items.map(brief)).toEqual(['service.upserted cart@1', 'instance.registered cart@2', 'snapshot old@3 discovered []']);
    expect(got.items[2].serviceState).toMatchObject({ name: 'old', revision: 3 });
  });

  it('ends the NATS subscription when the watcher cancels', async () => {
    await registry.upsertService(spec('quiet', 'svc'));
    const got = new Collector<WatchEvent>();
    const before = hub.size;
    const end = await hub.watch({ namespace: 'quiet', service: 'svc', sinceRevision: 0 }, got.push);
    await got.count(1);
    expect(hub.size).toBe(before + 1);
    end();
    expect(hub.size).toBe(before);
    // Same connection for the watch, the publisher and the marker: NATS keeps their order, so once
    // the marker arrives the event would have arrived too, had the subscription survived.
    const marker = new Collector<string>();
    const sub = infra.nats.subscribe(`${infra.subjectPrefix}marker`, { callback: (_e, m) => marker.push(m.string()) });
    await infra.nats.flush();
    await registry.register({ namespace: 'quiet', service: 'svc', instance: inst('late') });
    infra.nats.publish(`${infra.subjectPrefix}marker`, 'done');
    await marker.count(1);
    sub.unsubscribe();
    expect(got.items.map(brief)).toEqual(['snapshot svc@1 initial []']);
  });
});
