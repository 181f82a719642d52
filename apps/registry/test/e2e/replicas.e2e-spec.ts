import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { registryEvent, type RegistryEvent } from '@weft/api';
import { loadRegistryGrpc } from '../../src/grpc/registry-grpc.definition';
import { Collector, createTestInfra, serviceEnv, startProcess, waitFor, type TestInfra, type TestProcess } from '@weft/testing';

/**
 * The registry as users run it: two replica processes (the built `weft-registry` bin) against one
 * NATS and one Redis. Register through one, read and watch through the other, then SIGKILL one while
 * central health checks and TTL sweeps run.
 */
const BIN = join(__dirname, '..', '..', 'bin', 'weft-registry.js');
const NS = 'shop';
const SVC = 'cart';
const EPHEMERAL = 'sessions';
const PROBE_INTERVAL_S = 0.5;

interface Replica {
  readonly id: string;
  readonly proc: TestProcess;
  readonly base: string;
  readonly grpcAddress: string;
}

interface WatchEvent {
  type: string;
  service: string;
  revision: number;
  instances: { spec: { id: string } }[];
  instance: { spec: { id: string } } | null;
}

/** A target instance: a real HTTP server recording which replica probed it. */
class Target {
  readonly probes: string[] = [];
  server!: Server;
  port = 0;
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.probes.push(String(req.headers['user-agent']).replace('weft-registry/', ''));
      res.end('ok');
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  probedBy(since: number): Set<string> {
    return new Set(this.probes.slice(since));
  }
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('two registry replicas, one killed mid-flight (end to end)', () => {
  let infra: TestInfra;
  const replicas: Replica[] = [];
  const targets: Target[] = [];
  const events = new Collector<RegistryEvent>();
  let heartbeats: NodeJS.Timeout | null = null;
  let watchClient: grpc.Client | null = null;
  let watchCall: grpc.ClientReadableStream<WatchEvent> | null = null;
  const watched = new Collector<WatchEvent>();

  async function startReplica(id: string): Promise<Replica> {
    const { proc, readyLog } = await startProcess({
      name: id,
      command: process.execPath,
      args: [BIN],
      env: {
        ...serviceEnv(infra),
        WEFT_REGISTRY_REPLICA_ID: id,
        WEFT_REGISTRY_HTTP_PORT: '0',
        WEFT_REGISTRY_GRPC_PORT: '0',
        WEFT_REGISTRY_LEASE_MS: '1000',
        WEFT_REGISTRY_MEMBER_TTL_MS: '750',
        WEFT_REGISTRY_SWEEP_INTERVAL_MS: '100',
        WEFT_LOG_LEVEL: 'info',
      },
      ready: (l) => l['msg'] === 'registry ready',
    });
    return {
      id,
      proc,
      base: `http://127.0.0.1:${String(readyLog['httpPort'])}`,
      grpcAddress: `127.0.0.1:${String(readyLog['grpcPort'])}`,
    };
  }

  const instances = async (r: Replica) =>
    (await call(r.base, 'GET', `/v1/namespaces/${NS}/services/${SVC}/instances`)).json as {
      revision: number;
      instances: { id: string; status: string; probe: string; ttl: string }[];
    };

  beforeAll(async () => {
    infra = await createTestInfra('e2e');
    const sub = infra.nats.subscribe(`${infra.subjectPrefix}weft.registry.events.>`);
    void (async () => {
      for await (const m of sub) events.push(registryEvent.parse(m.json()));
    })();
    await infra.nats.flush();
    replicas.push(await startReplica('replica-a'), await startReplica('replica-b'));
    for (let i = 0; i < 6; i++) {
      const t = new Target();
      await t.start();
      targets.push(t);
    }
  });

  afterAll(async () => {
    if (heartbeats !== null) clearInterval(heartbeats);
    watchCall?.cancel();
    watchClient?.close();
    await Promise.all(replicas.map((r) => r.proc.kill('SIGKILL')));
    await Promise.all(targets.map((t) => new Promise((r) => t.server.close(r))));
    await infra.close();
  });

  it('registers through one replica and reads through the other', async () => {
    const [a, b] = replicas;
    // A gRPC Watch on replica B of a service that does not exist yet: an empty snapshot, then changes.
    const { Client } = loadRegistryGrpc();
    watchClient = new Client(b.grpcAddress, grpc.credentials.createInsecure());
    watchCall = (watchClient as unknown as { Watch(r: object): grpc.ClientReadableStream<WatchEvent> }).Watch({ namespace: NS, service: SVC });
    watchCall.on('data', watched.push);
    watchCall.on('error', () => undefined);
    await watched.count(1, { what: 'the initial snapshot' });
    const svc = await call(a.base, 'PUT', `/v1/namespaces/${NS}/services/${SVC}`, {
      ports: [{ name: 'http', number: 8080, protocol: 'http' }],
      healthCheck: { type: 'http', path: '/healthz', intervalSeconds: PROBE_INTERVAL_S, timeoutSeconds: 0.25, healthyThreshold: 1, unhealthyThreshold: 2 },
    });
    expect(svc.status).toBe(200);
    // Long-lived instances kept alive by heartbeats; each is a real target of the health checker.
    for (const [i, t] of targets.entries()) {
      const r = await call(a.base, 'POST', `/v1/namespaces/${NS}/services/${SVC}/instances`, {
        id: `live-${i}`,
        address: '127.0.0.1',
        ports: { http: t.port },
        labels: { version: i % 2 === 0 ? 'v1' : 'v2' },
        ttlSeconds: 3,
        graceSeconds: 2,
      });
      expect(r.status).toBe(201);
    }
    heartbeats = setInterval(() => {
      for (let i = 0; i < targets.length; i++) {
        void call(replicas[replicas.length - 1].base, 'PUT', `/v1/namespaces/${NS}/services/${SVC}/instances/live-${i}/heartbeat`).catch(() => undefined);
      }
    }, 300);
    // Instances of a second service that stop heartbeating at once: their TTLs expire before and
    // after the kill below.
    expect((await call(a.base, 'PUT', `/v1/namespaces/${NS}/services/${EPHEMERAL}`, { ports: [{ name: 'tcp', number: 7000, protocol: 'tcp' }] })).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      await call(a.base, 'POST', `/v1/namespaces/${NS}/services/${EPHEMERAL}/instances`, {
        id: `doomed-${i}`,
        address: '127.0.0.1',
        ttlSeconds: 0.5 + i * 0.75,
        graceSeconds: 0.5,
      });
    }
    // Through the watch on B: the snapshot, then every change in revision order without a gap
    // (probe verdicts of the health checker may interleave with the registrations).
    const w = await watched.until((es) => es.filter((e) => e.type === 'instance.registered').length >= 6, { what: 'watched registrations' });
    expect(w[0].type).toBe('snapshot');
    expect(w.slice(1).map((e) => e.revision)).toEqual(w.slice(1).map((_, i) => i + 1));
    expect(w[1].type).toBe('service.upserted');
    const registered = w.filter((e) => e.type === 'instance.registered').map((e) => e.instance?.spec.id);
    expect(registered).toEqual(targets.map((_, i) => `live-${i}`));
    const fromB = await instances(b);
    expect(fromB.instances.map((i) => i.id)).toEqual(['live-0', 'live-1', 'live-2', 'live-3', 'live-4', 'live-5']);
    const v2 = (await call(b.base, 'GET', `/v1/namespaces/${NS}/services/${SVC}/instances?selector=version%3Dv2`)).json as {
      instances: { id: string }[];
    };
    expect(v2.instances.map((i) => i.id)).toEqual(['live-1', 'live-3', 'live-5']);
    // The change events of what replica A wrote are seen on the events subject, in revision order.
    const seen = await events.until((es) => es.filter((e) => e.type === 'instance.registered').length >= 10);
    const revs = seen.filter((e) => e.service === EPHEMERAL).map((e) => e.revision);
    expect(revs.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('shards the health checks: every instance probed, each by exactly one replica, both share the work', async () => {
    const marks = targets.map((t) => t.probes.length);
    await waitFor(() => targets.every((t, i) => t.probes.length >= marks[i] + 3) || undefined, { what: 'three probes per target', timeoutMs: 15_000 });
    // Ownership has settled: from now on, each target sees a single prober.
    const settled = targets.map((t) => t.probes.length);
    await waitFor(() => targets.every((t, i) => t.probes.length >= settled[i] + 3) || undefined, { what: 'three more probes per target', timeoutMs: 15_000 });
    const owners = targets.map((t, i) => [...t.probedBy(settled[i])]);
    for (const o of owners) expect(o).toHaveLength(1);
    expect(new Set(owners.flat())).toEqual(new Set(['replica-a', 'replica-b']));
    const snap = await instances(replicas[1]);
    expect(snap.instances.filter((i) => i.id.startsWith('live-')).every((i) => i.probe === 'passing')).toBe(true);
  });

  it('survives SIGKILL of the sweeper leader: probes move, no instance lost, each expiry evented once', async () => {
    const leader = await waitFor(async () => {
      for (const r of replicas) {
        const text = await (await fetch(`${r.base}/metrics`)).text();
        if (/^weft_registry_sweeper_leader 1$/m.test(text)) return r;
      }
      return undefined;
    }, { what: 'a sweeper leader' });
    await leader.proc.kill('SIGKILL');
    replicas.splice(replicas.indexOf(leader), 1);
    const survivor = replicas[0];
    // Its probes move to the survivor: every target is probed by the survivor again.
    const marks = targets.map((t) => t.probes.length);
    await waitFor(() => targets.every((t, i) => t.probes.slice(marks[i]).filter((p) => p === survivor.id).length >= 2) || undefined, {
      what: 'the survivor to probe every target',
      timeoutMs: 15_000,
    });
    // The doomed instances all expire and are removed, through the survivor's sweeper.
    await events.until((es) => es.filter((e) => e.type === 'instance.expired').length >= 4, { timeoutMs: 20_000 });
    const after = await instances(survivor);
    expect(after.instances.map((i) => `${i.id}:${i.status}`).sort()).toEqual(targets.map((_, i) => `live-${i}:healthy`).sort());
    for (let i = 0; i < 4; i++) {
      const mine = events.items.filter((e) => e.instance?.id === `doomed-${i}`).map((e) => `${e.type}/${e.reason}`);
      expect(mine).toEqual(['instance.registered/api', 'instance.health/ttl', 'instance.expired/grace']);
    }
    // Per service, revisions stayed consecutive through the kill: no lost and no duplicated change
    // (events of different replicas may arrive interleaved, so compare as a sorted set).
    for (const name of [SVC, EPHEMERAL]) {
      const revs = events.items.filter((e) => e.service === name).map((e) => e.revision).sort((x, y) => x - y);
      expect(revs).toEqual(Array.from({ length: revs.length }, (_, i) => i + 1));
    }
  });
});
