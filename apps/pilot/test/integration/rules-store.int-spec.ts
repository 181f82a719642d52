import pino from 'pino';
import { Collector, createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { RulesRepository, type RuleWrite } from '../../src/rules/rules.repository';
import { RulesWatcher, type RulesChange } from '../../src/rules/rules.watcher';
import { RedisSyncStatusStore } from '../../src/status/status.store';
import type { ProxySyncStatus } from '../../src/model/xds-contract';

const silent = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });

function vs(name: string, hosts: string[], namespace = 'default'): RuleWrite {
  const raw = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec: { hosts, http: [] } };
  return { key: `VirtualService/${namespace}/${name}`, kind: 'VirtualService', namespace, name, raw, document: raw };
}

function status(proxyId: string, replica: string): ProxySyncStatus {
  const node = {
    id: proxyId,
    cluster: 'reviews',
    kind: 'weft' as const,
    userAgent: 'weft-proxy',
    namespace: 'default',
    service: 'reviews',
    labels: { version: 'v1' },
    locality: { region: '', zone: '', subZone: '' },
    appPort: 9080,
    outboundPort: 15001,
    inboundPort: 15006,
  };
  const synced = { subscribed: ['*'], acked: {}, state: 'SYNCED' as const, error: null, lastSentAt: 1, lastAckAt: 2 };
  return { proxyId, node, replica, protocol: 'delta', connectedAt: 1, types: { cds: synced, lds: synced } };
}

describe('pilot rules repository and status store (real Redis)', () => {
  let infra: TestInfra;
  let repo: RulesRepository;

  beforeAll(async () => {
    infra = await createTestInfra('pilot-store');
    repo = new RulesRepository(infra.redis, infra.redisPrefix);
  });
  afterAll(() => infra.close());

  it('applies a batch atomically with one revision, then reports unchanged and configured', async () => {
    const first = await repo.applyBatch([vs('a', ['a']), vs('b', ['b'])]);
    expect(first.results.map((r) => r.action)).toEqual(['created', 'created']);
    expect(first.results.every((r) => r.revision === first.revision)).toBe(true);
    // same content in another key order and an empty array kept as an array
    const a = vs('a', ['a']);
    const reordered = { ...a, raw: { spec: { http: [], hosts: ['a'] }, metadata: { namespace: 'default', name: 'a' }, kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' } };
    const again = await repo.applyBatch([reordered, vs('b', ['b', 'c'])]);
    expect(again.revision).toBe(first.revision + 1);
    expect(again.results).toEqual([
      { key: 'VirtualService/default/a', action: 'unchanged', revision: first.revision },
      { key: 'VirtualService/default/b', action: 'configured', revision: again.revision },
    ]);
    const b = await repo.get('VirtualService/default/b');
    expect(b).toMatchObject({ raw: { spec: { hosts: ['b', 'c'], http: [] } }, resourceVersion: String(again.revision) });
    expect(b?.createdAt).toBeLessThanOrEqual(b?.updatedAt ?? 0);
  });

  it('a dry run reports what would happen and stores nothing', async () => {
    const before = await repo.all();
    const dry = await repo.applyBatch([vs('dry', ['d'])], { dryRun: true });
    expect(dry).toEqual({ revision: before.revision + 1, results: [{ key: 'VirtualService/default/dry', action: 'created', revision: before.revision + 1 }] });
    expect(await repo.all()).toEqual(before);
  });

  it('deletes what exists in one revision, lists by kind and namespace', async () => {
    await repo.applyBatch([vs('x', ['x'], 'shop')]);
    expect((await repo.list('VirtualService', 'shop')).rules.map((r) => r.name)).toEqual(['x']);
    const rev = await repo.revision();
    const del = await repo.delete(['VirtualService/shop/x', 'VirtualService/shop/missing']);
    expect(del).toEqual({
      revision: rev + 1,
      results: [
        { key: 'VirtualService/shop/x', existed: true },
        { key: 'VirtualService/shop/missing', existed: false },
      ],
    });
    expect((await repo.list(undefined, 'shop')).rules).toEqual([]);
    expect((await repo.delete(['VirtualService/shop/x'])).revision).toBe(rev + 1);
  });

  it('status store: writes coalesce, reads back, and a dead replica’s proxies disappear', async () => {
    const opts = { prefix: infra.redisPrefix, ttlMs: 400, flushMs: 10 };
    const a = new RedisSyncStatusStore(infra.redis, { ...opts, replica: 'pilot-a' }, silent);
    const b = new RedisSyncStatusStore(infra.redis, { ...opts, replica: 'pilot-b' }, silent);
    await a.start();
    await b.start();
    a.update(status('p1', 'pilot-a'));
    a.update(status('p2', 'pilot-a'));
    b.update(status('p3', 'pilot-b'));
    await Promise.all([a.flush(), b.flush()]);
    expect((await a.list()).map((s) => [s.proxyId, s.replica])).toEqual([['p1', 'pilot-a'], ['p2', 'pilot-a'], ['p3', 'pilot-b']]);
    expect(await b.get('p1')).toMatchObject({ proxyId: 'p1', types: { cds: { state: 'SYNCED' } } });
    // p2 moved to pilot-b; pilot-a's late disconnect must not remove the newer entry
    b.update(status('p2', 'pilot-b'));
    await b.flush();
    a.disconnected('p2', 'pilot-a');
    a.disconnected('p1', 'pilot-a');
    await a.flush();
    expect((await a.list()).map((s) => [s.proxyId, s.replica])).toEqual([['p2', 'pilot-b'], ['p3', 'pilot-b']]);
    // pilot-b dies without a goodbye: its heartbeat expires and its proxies leave the status
    await b.flush();
    (b as unknown as { heartbeatTimer: NodeJS.Timeout }).heartbeatTimer.close();
    await waitFor(async () => (await a.list()).length === 0, { what: 'dead replica entries dropped' });
    expect(await a.get('p3')).toBeNull();
    await a.stop();
  });

  it('a watcher catches up with a change whose NATS announcement was lost (periodic revision check)', async () => {
    const changes = new Collector<RulesChange>();
    const watcher = new RulesWatcher(infra.nats, repo, { subjectPrefix: infra.subjectPrefix, resyncMs: 50 }, silent);
    const first = await watcher.start(changes.push);
    const raw = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'quiet' }, spec: { hosts: ['quiet'], http: [{ route: [{ destination: { host: 'quiet' } }] }] } };
    // stored without any announcement, as if the writer died between Redis and NATS
    const res = await repo.applyBatch([{ key: 'VirtualService/default/quiet', kind: 'VirtualService', namespace: 'default', name: 'quiet', raw, document: raw }]);
    const [, change] = await changes.count(2, { what: 'resync after a lost event' });
    expect(change?.revision).toBe(res.revision);
    expect(change?.changedKeys).toEqual(['VirtualService/default/quiet']);
    expect(change?.documents.map((d) => d.metadata.name)).toContain('quiet');
    expect(change?.documents.length).toBe(first.documents.length + 1);
    await watcher.stop();
  });
});
