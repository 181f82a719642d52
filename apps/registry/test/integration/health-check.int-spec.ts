import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { createTestInfra, Collector, waitFor, type TestInfra } from '@weft/testing';
import { instanceSpec, registryEvent, serviceSpec, type Instance, type RegistryEvent } from '@weft/api';
import type { RunningRegistry } from '../../src/app/bootstrap';
import { RegistryService } from '../../src/registry/registry.service';
import { Membership } from '../../src/health/membership';
import { HealthChecker } from '../../src/health/health-checker';
import { rendezvousOwner } from '../../src/health/rendezvous';
import { startReplica } from './registry-helpers';

jest.setTimeout(60_000);

const UNHEALTHY_THRESHOLD = 3;
const HEALTHY_THRESHOLD = 2;
const ua = (replica: string) => `weft-registry/${replica}`;

/** An instance's health endpoint: answers `status`, records every probe and the current streaks. */
class HttpTarget {
  status = 200;
  readonly probes = new Collector<{ ua: string; path: string; status: number }>();
  /** Consecutive passing / failing responses served, across whoever probed. */
  readonly streak = { ok: 0, fail: 0 };
  readonly server: Server;
  port = 0;

  constructor(readonly id: string) {
    this.server = createServer((req, res) => {
      const status = this.status;
      this.streak.ok = status < 300 ? this.streak.ok + 1 : 0;
      this.streak.fail = status < 300 ? 0 : this.streak.fail + 1;
      this.probes.push({ ua: req.headers['user-agent'] ?? '', path: req.url ?? '', status });
      res.writeHead(status).end();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** User-agents of the probes received from index `from` on. */
  agentsSince(from: number): Set<string> {
    return new Set(this.probes.items.slice(from).map((p) => p.ua));
  }
}

async function listenTcp(server: TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listenTcp(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A published event with the streaks every target had served when it arrived. */
interface Seen {
  readonly event: RegistryEvent;
  readonly streaks: Record<string, { ok: number; fail: number }>;
}

describe('central health checking (two replicas, real NATS + Redis)', () => {
  let infra: TestInfra;
  const replicas = new Map<string, RunningRegistry>();
  const targets = ['web-0', 'web-1', 'web-2', 'web-3', 'web-4', 'web-5'].map((id) => new HttpTarget(id));
  const keyOf = (t: HttpTarget) => `default/web/${t.id}`;
  const seen = new Collector<Seen>();
  let registry: RegistryService;
  let tcpUp: TcpServer;

  const replica = (id: string) => replicas.get(id) as RunningRegistry;
  const membersOf = (id: string) => replica(id).app.get(Membership).members();
  const checkerOf = (id: string) => replica(id).app.get(HealthChecker);
  const instanceOf = async (service: string, id: string): Promise<Instance | undefined> =>
    (await registry.listInstances({ namespace: 'default', service, selector: '', healthyOnly: false })).instances.find((i) => i.id === id);
  const healthEventsSince = (mark: number, id: string) =>
    seen.items.slice(mark).filter((s) => s.event.type === 'instance.health' && s.event.instance?.id === id);

  /** Waits until the latest probes of every target come from its owner, then checks a fresh window. */
  async function expectExclusiveOwners(owners: string[], window: number): Promise<void> {
    await waitFor(
      () => targets.every((t, i) => {
        const last = t.probes.items.slice(-3);
        return last.length === 3 && last.every((p) => p.ua === ua(owners[i]));
      }),
      { what: 'every target probed only by its owner', timeoutMs: 20_000 },
    );
    const mark = targets.map((t) => t.probes.items.length);
    await Promise.all(targets.map((t, i) => t.probes.count(mark[i] + window, { what: `${window} more probes of ${t.id}` })));
    expect(targets.map((t, i) => [t.id, t.agentsSince(mark[i])])).toEqual(targets.map((t, i) => [t.id, new Set([ua(owners[i])])]));
  }

  beforeAll(async () => {
    infra = await createTestInfra('health');
    const sub = infra.nats.subscribe(`${infra.subjectPrefix}weft.registry.events.>`);
    void (async () => {
      for await (const m of sub) {
        const streaks = Object.fromEntries(targets.map((t) => [t.id, { ...t.streak }]));
        seen.push({ event: registryEvent.parse(m.json()), streaks });
      }
    })();
    await infra.nats.flush();
    await Promise.all(targets.map((t) => t.listen()));
    for (const id of ['hc-a', 'hc-b']) replicas.set(id, await startReplica(infra, id, { WEFT_REGISTRY_MEMBER_TTL_MS: '600' }));
    registry = replica('hc-a').app.get(RegistryService);
    await registry.upsertService(
      serviceSpec.parse({
        namespace: 'default',
        name: 'web',
        ports: [{ name: 'http', number: 1, protocol: 'http' }],
        healthCheck: {
          type: 'http',
          port: 'http',
          path: '/ready',
          intervalSeconds: 0.2,
          timeoutSeconds: 0.2,
          healthyThreshold: HEALTHY_THRESHOLD,
          unhealthyThreshold: UNHEALTHY_THRESHOLD,
        },
      }),
    );
    for (const t of targets) {
      const instance = instanceSpec.parse({ id: t.id, address: '127.0.0.1', ports: { http: t.port }, ttlSeconds: null });
      await registry.register({ namespace: 'default', service: 'web', instance });
    }
  });

  afterAll(async () => {
    for (const r of replicas.values()) await r.close();
    await Promise.all(targets.map((t) => t.close()));
    await new Promise<void>((resolve) => (tcpUp ? tcpUp.close(() => resolve()) : resolve()));
    await infra.close();
  });

  it('probes every instance, each by exactly one replica, and both replicas share the work', async () => {
    const both = ['hc-a', 'hc-b'];
    await waitFor(() => membersOf('hc-a').join() === 'hc-a,hc-b' && membersOf('hc-b').join() === 'hc-a,hc-b', {
      what: 'both replicas to see each other',
    });
    const owners = targets.map((t) => rendezvousOwner(keyOf(t), both) as string);
    expect(new Set(owners)).toEqual(new Set(both)); // the fixture gives each replica a share
    await expectExclusiveOwners(owners, 5);
    expect(new Set(targets.flatMap((t) => t.probes.items.map((p) => p.path)))).toEqual(new Set(['/ready']));
    for (const id of both) {
      expect(checkerOf(id).ownedTargets()).toEqual(targets.filter((_, i) => owners[i] === id).map(keyOf));
      const metrics = await (await fetch(`http://127.0.0.1:${replica(id).httpPort}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^weft_registry_probe_targets ${owners.filter((o) => o === id).length}$`, 'm'));
      expect(metrics).toMatch(/^weft_registry_members 2$/m);
      expect(metrics).toMatch(/^weft_registry_probes_total\{result="pass"\} [1-9]/m);
    }
    await waitFor(
      async () => {
        const list = await registry.listInstances({ namespace: 'default', service: 'web', selector: '', healthyOnly: false });
        return list.instances.length === targets.length && list.instances.every((i) => i.probe === 'passing' && i.status === 'healthy');
      },
      { what: 'every instance to pass its health check' },
    );
  });

  it('marks an instance failing after unhealthyThreshold failures, with one event, and passing again once it recovers', async () => {
    const t = targets[1];
    const mark = seen.items.length;
    t.status = 500;
    await seen.until(() => healthEventsSince(mark, t.id).length >= 1, { what: 'the failing event' });
    const fail = healthEventsSince(mark, t.id)[0];
    expect(fail.event.instance).toMatchObject({ probe: 'failing', status: 'unhealthy' });
    expect(fail.event.reason).toBe('probe');
    expect(fail.streaks[t.id].fail).toBeGreaterThanOrEqual(UNHEALTHY_THRESHOLD);
    expect(await instanceOf('web', t.id)).toMatchObject({ probe: 'failing', status: 'unhealthy' });
    expect((await registry.listInstances({ namespace: 'default', service: 'web', selector: '', healthyOnly: true })).instances.map((i) => i.id)).not.toContain(t.id);

    // It keeps failing for a while: no further event. Then it recovers.
    await t.probes.count(t.probes.items.length + UNHEALTHY_THRESHOLD, { what: 'more failing probes' });
    t.status = 200;
    await seen.until(() => healthEventsSince(mark, t.id).length >= 2, { what: 'the recovery event' });
    const events = healthEventsSince(mark, t.id);
    expect(events.map((s) => [s.event.instance?.probe, s.event.instance?.status, s.event.reason])).toEqual([
      ['failing', 'unhealthy', 'probe'],
      ['passing', 'healthy', 'probe'],
    ]);
    expect(events[1].streaks[t.id].ok).toBeGreaterThanOrEqual(HEALTHY_THRESHOLD);
    expect(await instanceOf('web', t.id)).toMatchObject({ probe: 'passing', status: 'healthy' });
    // No other instance changed health meanwhile.
    expect(targets.filter((o) => o !== t && healthEventsSince(mark, o.id).length > 0).map((o) => o.id)).toEqual([]);
  });

  it('TCP checks: an accepting port passes, a closed port fails', async () => {
    tcpUp = createTcpServer((sock) => sock.on('error', () => undefined));
    const upPort = await listenTcp(tcpUp);
    const downPort = await closedPort();
    await registry.upsertService(
      serviceSpec.parse({
        namespace: 'default',
        name: 'db',
        // `down` does not override the port, so it is probed on the service port's own number.
        ports: [{ name: 'tcp', number: downPort, protocol: 'tcp' }],
        healthCheck: { type: 'tcp', port: null, intervalSeconds: 0.2, timeoutSeconds: 0.2, healthyThreshold: 1, unhealthyThreshold: 2 },
      }),
    );
    const mark = seen.items.length;
    await registry.register({ namespace: 'default', service: 'db', instance: instanceSpec.parse({ id: 'up', address: '127.0.0.1', ports: { tcp: upPort }, ttlSeconds: null }) });
    await registry.register({ namespace: 'default', service: 'db', instance: instanceSpec.parse({ id: 'down', address: '127.0.0.1', ttlSeconds: null }) });
    await waitFor(async () => (await instanceOf('db', 'down'))?.probe === 'failing', { what: 'the closed port to fail' });
    await waitFor(async () => (await instanceOf('db', 'up'))?.probe === 'passing', { what: 'the open port to pass' });
    expect(await instanceOf('db', 'down')).toMatchObject({ status: 'unhealthy' });
    expect(await instanceOf('db', 'up')).toMatchObject({ status: 'healthy' });
    expect(healthEventsSince(mark, 'down').map((s) => s.event.instance?.probe)).toEqual(['failing']);
  });

  it('when a replica shuts down, the survivor probes every instance', async () => {
    await replica('hc-b').close();
    replicas.delete('hc-b');
    await waitFor(() => membersOf('hc-a').join() === 'hc-a', { what: 'hc-a to see hc-b leave' });
    await expectExclusiveOwners(targets.map(() => 'hc-a'), 3);
    expect(checkerOf('hc-a').ownedTargets()).toEqual(['default/db/down', 'default/db/up', ...targets.map(keyOf)]);
  });

  it('a replica that vanishes without leaving (crash) loses its share when its entry expires', async () => {
    // A member that never refreshes, as a SIGKILLed replica: its entry expires on Redis's clock.
    const [sec, usec] = await infra.redis.time();
    await infra.redis.zadd(`${infra.redisPrefix}members`, Number(sec) * 1000 + Math.floor(Number(usec) / 1000) + 1500, 'ghost');
    const ghostKeys = targets.map(keyOf).filter((k) => rendezvousOwner(k, ['ghost', 'hc-a']) === 'ghost');
    expect(ghostKeys.length).toBeGreaterThan(0);
    await waitFor(() => membersOf('hc-a').includes('ghost'), { what: 'hc-a to see the ghost join' });
    // Ownership is re-applied as soon as the membership changes: hc-a hands the ghost its share.
    expect(checkerOf('hc-a').ownedTargets().filter((k) => ghostKeys.includes(k))).toEqual([]);
    await waitFor(() => !membersOf('hc-a').includes('ghost'), { what: 'the ghost entry to expire' });
    expect(checkerOf('hc-a').ownedTargets()).toEqual(['default/db/down', 'default/db/up', ...targets.map(keyOf)]);
    await expectExclusiveOwners(targets.map(() => 'hc-a'), 3);
  });
});
