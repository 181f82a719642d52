import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createTestInfra, reviewsCanary, waitFor, type TestInfra } from '@weft/testing';
import {
  callThrough,
  registerService,
  sample,
  startPilot,
  startProxy,
  startRegistry,
  VersionApp,
  weftctl,
  type Outcome,
  type PilotProcess,
  type Running,
} from './mesh-harness';

/**
 * The canary, end to end over real NATS and Redis, every component a real process: two versions of
 * reviews registered with `version` labels; the Istio canary rule (VirtualService 90/10 over
 * DestinationRule subsets v1/v2) applied with weftctl; a sidecar configured only by pilot (on demand:
 * it learns `reviews:9080` from the first request) carries the traffic. Then 50/50 under load, one of
 * two pilot replicas killed, every pilot killed, and the proxy restarted from its cache.
 */
const NS = 'default';
const HOST = 'reviews:9080';

const canary = (v1: number, v2: number): string => reviewsCanary(v1, v2);

/** |share − p| allowed for n calls: ±3 % (the bound), checked to be ≥ 3 standard deviations. */
function expectShare(count: number, n: number, p: number): void {
  const sd = Math.sqrt((p * (1 - p)) / n);
  expect(0.03).toBeGreaterThanOrEqual(3 * sd);
  expect(Math.abs(count / n - p)).toBeLessThanOrEqual(0.03);
}

/** Requests at a steady concurrency until stopped; every outcome kept. */
class Load {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(agent: Agent, port: () => number, concurrency = 4) {
    const worker = async (): Promise<void> => {
      while (this.running) this.outcomes.push(await callThrough(agent, port(), HOST));
    };
    this.done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  }

  failures(): Outcome[] {
    return this.outcomes.filter((o) => o.status !== 200);
  }

  /** v2's share over the last `window` outcomes. */
  recentShare(window: number): number | null {
    const recent = this.outcomes.slice(-window);
    return recent.length < window ? null : recent.filter((o) => o.version === 'v2').length / window;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('canary through pilot-configured sidecars (end to end)', () => {
  let infra: TestInfra;
  let registry: Running & { base: string };
  const pilots: PilotProcess[] = [];
  const apps = [new VersionApp('reviews', 'v1'), new VersionApp('reviews', 'v2')];
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  let dir: string;
  let proxy: (Running & { admin: string }) | null = null;
  let outbound = 0;

  const proxyOptions = () => ({
    xds: pilots.map((p) => p.xds),
    service: 'productpage',
    nodeId: 'sidecar~127.0.0.1~productpage-v1.default',
    outboundPort: 0,
    cacheFile: join(dir, 'productpage.xds.json'),
  });

  async function bootProxy(): Promise<void> {
    proxy = await startProxy(proxyOptions());
    outbound = Number((proxy.ready['listeners'] as Record<string, number>)['outbound']);
    expect(outbound).toBeGreaterThan(0);
  }

  const statusOf = async (pilot: PilotProcess): Promise<{ replica: string; types: Record<string, { state: string }> } | null> => {
    const res = await fetch(`${pilot.http}/v1/proxies/${encodeURIComponent(proxyOptions().nodeId)}`);
    return res.status === 200 ? ((await res.json()) as { replica: string; types: Record<string, { state: string }> }) : null;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-canary-'));
    infra = await createTestInfra('canary');
    registry = await startRegistry(infra);
    pilots.push(await startPilot(infra, 'pilot-a'), await startPilot(infra, 'pilot-b'));
    for (const app of apps) await app.start();
    await registerService(registry.base, NS, 'reviews', 9080, apps);
    const applied = await weftctl(pilots[0]?.http ?? '', ['apply', '-f', '-'], canary(90, 10));
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain('virtualservice.networking.istio.io/reviews created');
    await bootProxy();
    // Ready because its first config was complete (pilot answered every subscription, the empty VHDS
    // wildcard included), not because the initial fetch timeout gave up waiting.
    expect(proxy?.proc.logs.filter((l) => String(l['msg']).includes('before the first config is complete'))).toEqual([]);
  });

  afterAll(async () => {
    await proxy?.proc.kill('SIGKILL');
    await Promise.all(pilots.map((p) => p.proc.kill('SIGKILL')));
    await registry?.proc.kill('SIGTERM');
    await Promise.all(apps.map((a) => a.close()));
    await agent.close();
    await infra?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('splits 90/10 within ±3 % (the proxy learnt reviews on demand)', async () => {
    const N = 1500;
    const { byVersion, failures } = await sample(agent, outbound, HOST, N);
    expect(failures).toEqual([]);
    expectShare(byVersion.get('v2') ?? 0, N, 0.1);
    const status = await waitFor(async () => {
      const s = await statusOf(pilots[0] as PilotProcess);
      return s !== null && ['cds', 'eds', 'lds', 'rds', 'vhds'].every((t) => s.types[t]?.state === 'SYNCED') ? s : null;
    }, { timeoutMs: 10_000, what: 'proxy-status SYNCED for every type' });
    expect(pilots.map((p) => p.id)).toContain(status.replica);
    const holder = pilots.find((p) => p.id === status.replica) as PilotProcess;
    const ps = await weftctl(holder.http, ['proxy-status']);
    expect(ps).toMatchObject({ code: 0 });
    expect(ps.stdout).toContain(proxyOptions().nodeId);
    expect(ps.stdout).toContain('SYNCED');
    const pc = await weftctl(holder.http, ['proxy-config', proxyOptions().nodeId, 'clusters']);
    expect(pc).toMatchObject({ code: 0 });
    expect(pc.stdout).toMatch(/reviews\.default\.svc\.cluster\.local\s+9080\s+v2\s+outbound\s+EDS/);
  });

  it('moves to 50/50 under load with zero failed requests', async () => {
    const load = new Load(agent, () => outbound);
    await waitFor(() => load.outcomes.length >= 100, { timeoutMs: 10_000, what: 'load running' });
    const applied = await weftctl(pilots[1]?.http ?? '', ['apply', '-f', '-'], canary(50, 50));
    expect(applied).toMatchObject({ code: 0 });
    const from = load.outcomes.length;
    await waitFor(() => {
      const share = load.recentShare(200);
      return load.outcomes.length - from >= 200 && share !== null && share > 0.35;
    }, { timeoutMs: 15_000, what: 'the 50/50 split to reach the proxy' });
    await load.stop();
    expect(load.failures()).toEqual([]);
    const N = 3000;
    const { byVersion, failures } = await sample(agent, outbound, HOST, N);
    expect(failures).toEqual([]);
    expectShare(byVersion.get('v2') ?? 0, N, 0.5);
  });

  it('moves the proxy to the other pilot replica when its replica is killed, without failed requests', async () => {
    const before = await statusOf(pilots[0] as PilotProcess);
    const holder = pilots.find((p) => p.id === before?.replica) as PilotProcess;
    const other = pilots.find((p) => p !== holder) as PilotProcess;
    const load = new Load(agent, () => outbound);
    await holder.proc.kill('SIGKILL');
    const moved = await waitFor(async () => {
      const s = await statusOf(other);
      return s?.replica === other.id ? s : null;
    }, { timeoutMs: 20_000, what: `the proxy to reconnect to ${other.id}` });
    expect(moved.replica).toBe(other.id);
    // The surviving replica serves rule changes to it: back to 90/10.
    const applied = await weftctl(other.http, ['apply', '-f', '-'], canary(90, 10));
    expect(applied).toMatchObject({ code: 0 });
    const from = load.outcomes.length;
    await waitFor(() => {
      const share = load.recentShare(300);
      return load.outcomes.length - from >= 300 && share !== null && share < 0.2;
    }, { timeoutMs: 15_000, what: 'the 90/10 split through the surviving replica' });
    await load.stop();
    expect(load.failures()).toEqual([]);
    pilots.splice(pilots.indexOf(holder), 1);
  });

  it('keeps serving with every pilot down, and a proxy restarted meanwhile boots from its cache', async () => {
    await Promise.all(pilots.map((p) => p.proc.kill('SIGKILL')));
    const during = await sample(agent, outbound, HOST, 300);
    expect(during.failures).toEqual([]);
    await proxy?.proc.kill('SIGTERM');
    await bootProxy();
    const after = await sample(agent, outbound, HOST, 1500);
    expect(after.failures).toEqual([]);
    expectShare(after.byVersion.get('v2') ?? 0, 1500, 0.1);
  });
});
