import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestInfra, freePort, serviceEnv, startProcess, waitFor, type TestInfra, type TestProcess } from '@weft/testing';
import { replicaEnv, BIN as TELEMETRY_BIN } from '../integration/telemetry-harness';
import { startDemoMesh, type DemoMesh } from './demo-harness';

/**
 * The operator dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
 * over a small demo mesh made of the built bins as users run them: weft-registry, weft-pilot, weft-ca,
 * weft-telemetry (with a token), and the demo services productpage → details, reviews v1/v2 → ratings
 * (demo/bin/weft-demo.js), each behind a weft-proxy sidecar configured by pilot over xDS, holding a CA
 * certificate and reporting to telemetry over NATS. Traffic runs into productpage while the pages are
 * checked. Screenshots go to tmp/test-output/dashboard/.
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const BINS = {
  registry: join(ROOT, 'apps/registry/bin/weft-registry.js'),
  pilot: join(ROOT, 'apps/pilot/bin/weft-pilot.js'),
  ca: join(ROOT, 'apps/ca/bin/weft-ca.js'),
  proxy: join(ROOT, 'apps/proxy/bin/weft-proxy.js'),
  demo: join(ROOT, 'demo/bin/weft-demo.js'),
};
const CHROMIUM = process.env['WEFT_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'tmp', 'test-output', 'dashboard');
const TOKEN = 'dashboard-e2e-token-0123456789abcdef';
const NS = 'default';
/** Pacing of the traffic loops (a load generator's rate, not synchronisation): ≈ 10 pages/s on 2 shared cores. */
const TRAFFIC_PAUSE_MS = 100;
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, TRAFFIC_PAUSE_MS));

interface Workload {
  readonly name: string;
  readonly service: string;
  readonly version: string;
}
const WORKLOADS: readonly Workload[] = [
  { name: 'productpage-v1', service: 'productpage', version: 'v1' },
  { name: 'details-v1', service: 'details', version: 'v1' },
  { name: 'reviews-v1', service: 'reviews', version: 'v1' },
  { name: 'reviews-v2', service: 'reviews', version: 'v2' },
  { name: 'ratings-v1', service: 'ratings', version: 'v1' },
];

function infraEnv(infra: TestInfra): Record<string, string> {
  return { ...serviceEnv(infra), WEFT_LOG_LEVEL: 'info' };
}

async function start(name: string, args: string[], env: Record<string, string>, readyMsg: string): Promise<{ proc: TestProcess; ready: Record<string, unknown> }> {
  const { proc, readyLog } = await startProcess({ name, command: process.execPath, args, env, ready: (l) => l['msg'] === readyMsg, timeoutMs: 45_000 });
  return { proc, ready: readyLog };
}

async function rest(method: string, url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json().catch(() => null);
}

/** The control plane, the demo workloads with their sidecars, and a traffic loop into productpage. */
class DashboardMesh {
  readonly procs: TestProcess[] = [];
  telemetry = '';
  pilot: TestProcess | null = null;
  ca: TestProcess | null = null;
  entry = '';
  private dir = mkdtempSync(join(tmpdir(), 'weft-dashboard-e2e-'));
  private traffic: Promise<void> | null = null;
  private stopping = false;
  requests = 0;

  constructor(readonly infra: TestInfra) {}

  async start(): Promise<void> {
    const env = infraEnv(this.infra);
    const registry = await start('registry', [BINS.registry], { ...env, WEFT_REGISTRY_HTTP_PORT: '0', WEFT_REGISTRY_GRPC_PORT: '0' }, 'registry ready');
    this.procs.push(registry.proc);
    const [pilot, ca, telemetry] = await Promise.all([
      start('pilot', [BINS.pilot], { ...env, WEFT_PILOT_REPLICA: 'pilot-1', WEFT_PILOT_XDS_PORT: '0', WEFT_PILOT_HTTP_PORT: '0', WEFT_PILOT_DEBOUNCE_MS: '50' }, 'pilot ready'),
      start('ca', [BINS.ca], { ...env, WEFT_CA_DIR: join(this.dir, 'ca'), WEFT_CA_GRPC_PORT: '0', WEFT_CA_HTTP_PORT: '0' }, 'ca ready'),
      start('telemetry', [TELEMETRY_BIN], replicaEnv(this.infra, { WEFT_TELEMETRY_REPLICA: 'dashboard-1', WEFT_TELEMETRY_TOKEN: TOKEN }), 'telemetry ready'),
    ]);
    this.procs.push(pilot.proc, ca.proc, telemetry.proc);
    this.pilot = pilot.proc;
    this.ca = ca.proc;
    this.telemetry = `http://127.0.0.1:${String(telemetry.ready['httpPort'])}`;
    const xds = `127.0.0.1:${String(pilot.ready['xdsPort'])}`;
    const caGrpc = `127.0.0.1:${String(ca.ready['grpcPort'])}`;
    const caHttp = `http://127.0.0.1:${String(ca.ready['httpPort'])}`;
    const registryHttp = `http://127.0.0.1:${String(registry.ready['httpPort'])}`;
    const inbound = await Promise.all(WORKLOADS.map((w) => this.startWorkload(w, xds, caGrpc, caHttp)));
    for (const service of [...new Set(WORKLOADS.map((w) => w.service))]) {
      await rest('PUT', `${registryHttp}/v1/namespaces/${NS}/services/${service}`, { namespace: NS, name: service, ports: [{ name: 'http', number: 9080, protocol: 'http' }] });
    }
    await Promise.all(
      WORKLOADS.map((w, i) =>
        rest('POST', `${registryHttp}/v1/namespaces/${NS}/services/${w.service}/instances`, {
          id: w.name,
          address: '127.0.0.1',
          ports: { http: inbound[i] },
          labels: { app: w.service, version: w.version, 'security.istio.io/tlsMode': 'istio' },
          ttlSeconds: null,
        }),
      ),
    );
    this.entry = `http://127.0.0.1:${String(inbound[0])}/productpage`;
  }

  /** A demo service and its sidecar (xDS from pilot, SVID from the CA, reports to telemetry); resolves with the inbound port. */
  private async startWorkload(w: Workload, xds: string, caGrpc: string, caHttp: string): Promise<number> {
    const [app, outbound, inbound] = await Promise.all([freePort(), freePort(), freePort()]);
    const demo = await start(w.name, [BINS.demo, w.service, '--port', String(app), '--version', w.version, '--outbound-url', `http://127.0.0.1:${outbound}`], { WEFT_LOG_LEVEL: 'info' }, 'service ready');
    this.procs.push(demo.proc);
    const token = (await rest('POST', `${caHttp}/v1/tokens`, { namespace: NS, serviceAccount: w.service })) as { token: string };
    const tokenFile = join(this.dir, `${w.name}.token`);
    writeFileSync(tokenFile, token.token, { mode: 0o600 });
    const args = [
      BINS.proxy,
      ...['--xds', xds, '--node-id', `sidecar~127.0.0.1~${w.name}.${NS}`, '--service', w.service, '--namespace', NS, '--labels', `app=${w.service},version=${w.version}`],
      ...['--ca', caGrpc, '--token-file', tokenFile],
      ...['--admin-port', '0', '--outbound-port', String(outbound), '--inbound-port', String(inbound), '--app-port', String(app)],
      ...['--xds-cache', join(this.dir, `${w.name}.xds.json`), '--access-log', 'off', '--log-level', 'info'],
      ...['--nats', this.infra.natsUrl, '--subject-prefix', this.infra.subjectPrefix, '--telemetry-interval-ms', '500', '--trace-sampling', '100', '--log-sampling', '10'],
    ];
    const sidecar = await start(`${w.name}-proxy`, args, {}, 'proxy ready');
    this.procs.push(sidecar.proc);
    return inbound;
  }

  /** Requests into productpage, one after the other, until stop(). */
  startTraffic(): void {
    const loop = async (): Promise<void> => {
      while (!this.stopping) {
        const res = await fetch(this.entry).catch(() => null);
        await res?.arrayBuffer().catch(() => undefined);
        this.requests++;
        await pause();
      }
    };
    this.traffic = loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.traffic;
    for (const p of [...this.procs].reverse()) await p.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * Waits (the page refreshes itself every 5 s) until every edge carries requests and every service has
 * its node — a service reached one hop further (ratings, behind reviews v2/v3) can show up a refresh
 * after the first edges — then checks them.
 */
async function expectTopology(page: Page, edges: readonly string[], services: readonly string[]): Promise<void> {
  const rps = (e: string) => page.$$eval(`[data-edge="${e}"]`, (els) => els.map((x) => Number(x.getAttribute('data-rps'))));
  const node = (svc: string) => page.$(`[data-node="service:default/${svc}"]`);
  await waitFor(async () => (await Promise.all(edges.map(rps))).every((r) => (r[0] ?? 0) > 0) && (await Promise.all(services.map(node))).every((n) => n !== null), {
    timeoutMs: 45_000,
    intervalMs: 250,
    what: `the demo edges with requests and the nodes of ${services.join(', ')} on the topology`,
  });
  for (const svc of services) expect(await page.$(`[data-node="service:default/${svc}"]`)).not.toBeNull();
  expect(await page.getAttribute(`[data-edge="${edges[0]}"]`, 'class')).toMatch(/\b(ok|warn|bad)\b/);
  expect(await page.textContent(`[data-edge="${edges[0]}"] .edge-label`)).toMatch(/^\d+(\.\d+)? rps$/);
}

/** Opens the newest trace of productpage from the traces page; resolves with the services of its spans. */
async function openProductpageTrace(page: Page, base: string, shotPrefix: string): Promise<string[]> {
  await page.goto(`${base}/#/traces?service=productpage.default`);
  const link = page.locator('[data-page-traces="productpage.default"] tr[data-trace] a').first();
  await link.waitFor({ timeout: 15_000 });
  await shot(page, `${shotPrefix}traces`);
  await link.click();
  await page.waitForSelector('[data-page-trace] svg.waterfall', { timeout: 15_000 });
  await shot(page, `${shotPrefix}trace-waterfall`);
  return page.$$eval('[data-span]', (els) => [...new Set(els.map((e) => e.getAttribute('data-service') ?? ''))]);
}

describe('operator dashboard in chromium over a demo mesh (real processes, real NATS + Redis)', () => {
  let infra: TestInfra;
  let mesh: DashboardMesh;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    infra = await createTestInfra('dashboard-e2e');
    mesh = new DashboardMesh(infra);
    await mesh.start();
    mesh.startTraffic();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await mesh?.stop();
    await infra?.close();
  }, 60_000);

  it('asks for the token, then draws the topology: demo services, workloads and edges with non-zero rps', async () => {
    await page.goto(mesh.telemetry);
    await page.waitForSelector('#login', { timeout: 15_000 });
    await shot(page, '00-login');
    await page.fill('#token', TOKEN);
    await page.click('#login button[type=submit]');
    await expectTopology(
      page,
      ['workload:default/productpage-v1>service:default/reviews', 'workload:default/productpage-v1>service:default/details', 'workload:default/reviews-v2>service:default/ratings'],
      ['productpage', 'details', 'reviews', 'ratings'],
    );
    for (const wl of ['productpage-v1', 'reviews-v2']) expect(await page.$(`[data-node="workload:default/${wl}"]`)).not.toBeNull();
    await shot(page, '01-topology');
  }, 90_000);

  it('opens a service page with its golden signals and charts over time', async () => {
    await page.click('a[href="#/service/default/reviews"]');
    await page.waitForSelector('[data-page-service="default/reviews"]', { timeout: 15_000 });
    await waitFor(async () => Number(await page.getAttribute('[data-chart="rps"]', 'data-points')) > 0, { timeoutMs: 15_000, what: 'rps chart points' });
    expect(Number(await page.textContent('[data-signal="requests/s"]'))).toBeGreaterThan(0);
    expect(await page.textContent('[data-signal="p99"]')).toMatch(/ms|s$/);
    expect(Number(await page.getAttribute('[data-chart="latency"]', 'data-points'))).toBeGreaterThan(0);
    expect(await page.$$('[data-page-service="default/reviews"] tr[data-trace]')).not.toHaveLength(0);
    await shot(page, '02-service-reviews');
  }, 60_000);

  it('lists traces and opens one as a waterfall spanning the services of a productpage request', async () => {
    // The newest trace may still lack the spans other sidecars report in their next interval: wait
    // for one whose waterfall holds both services.
    await waitFor(
      async () => {
        const seen = await openProductpageTrace(page, mesh.telemetry, '03-');
        return ['productpage.default', 'reviews.default'].every((x) => seen.includes(x));
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'a productpage trace reaching reviews' },
    );
    expect((await page.$$('[data-span]')).length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('shows every sidecar SYNCED on the proxies page (pilot over NATS) and their certificates (CA over NATS)', async () => {
    await page.goto(`${mesh.telemetry}/#/proxies`);
    const synced = await waitFor(
      async () => {
        await page.reload();
        await page.waitForSelector('main section h1', { timeout: 10_000 });
        const rows = await page.$$eval('tr[data-proxy]', (els) => els.map((e) => [e.getAttribute('data-proxy'), e.getAttribute('data-sync')]));
        return rows.length === WORKLOADS.length && rows.every(([, s]) => s === 'SYNCED') ? rows : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'every sidecar SYNCED on the proxies page' },
    );
    expect(synced.map(([id]) => id).sort()).toEqual(WORKLOADS.map((w) => `sidecar~127.0.0.1~${w.name}.${NS}`).sort());
    await shot(page, '05-proxies');
    await page.goto(`${mesh.telemetry}/#/certificates`);
    await page.waitForSelector('tr[data-serial]', { timeout: 15_000 });
    const identities = await page.$$eval('tr[data-serial] td:first-child', (els) => els.map((e) => e.textContent));
    for (const svc of ['productpage', 'reviews', 'ratings']) expect(identities.some((i) => i?.startsWith('spiffe://') && i.endsWith(`/ns/default/sa/${svc}`))).toBe(true);
    await shot(page, '06-certificates');
  }, 60_000);

  it('says clearly that pilot and the CA do not answer once they are stopped', async () => {
    await mesh.pilot?.kill('SIGTERM');
    await mesh.ca?.kill('SIGTERM');
    await page.goto(`${mesh.telemetry}/#/proxies`);
    await page.reload();
    await page.waitForSelector('[role=alert]', { timeout: 15_000 });
    expect(await page.textContent('[role=alert]')).toContain('Pilot does not answer');
    await shot(page, '07-proxies-pilot-down');
    await page.goto(`${mesh.telemetry}/#/certificates`);
    await page.reload();
    await waitFor(async () => (await page.textContent('main'))?.includes('The CA does not answer'), { timeoutMs: 15_000, what: 'the CA-down message' });
  }, 60_000);
});

/**
 * The same dashboard over the shared demo harness (demo-harness.ts: the whole demo plan — productpage,
 * details, reviews v1/v2/v3, ratings — behind statically configured sidecars, two telemetry replicas,
 * no token, no pilot or CA) while traffic runs into productpage: the second replica draws what the
 * sidecars reported to either, and the pilot-backed page degrades with its message.
 */
describe('operator dashboard in chromium over the shared demo harness', () => {
  let demo: DemoMesh;
  let browser: Browser;
  let page: Page;
  let stopping = false;
  let traffic: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    demo = await startDemoMesh({ intervalMs: 500 });
    traffic = (async () => {
      while (!stopping) {
        await (await fetch(demo.productpageUrl).catch(() => null))?.arrayBuffer().catch(() => undefined);
        await pause();
      }
    })();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    stopping = true;
    await traffic;
    await browser?.close();
    await demo?.stop();
  }, 60_000);

  it("shows the demo's services and edges with non-zero rps, a service's charts and a trace across productpage → reviews → ratings", async () => {
    const base = demo.telemetryUrls[1] ?? '';
    await page.goto(base);
    await expectTopology(
      page,
      ['workload:default/productpage-v1>service:default/reviews', 'workload:default/productpage-v1>service:default/details'],
      ['productpage', 'details', 'reviews', 'ratings'],
    );
    await waitFor(async () => (await page.$$('[data-edge$=">service:default/ratings"]')).length > 0, { timeoutMs: 30_000, what: 'a reviews → ratings edge' });
    await shot(page, 'demo-01-topology');
    await page.click('a[href="#/service/default/ratings"]');
    await page.waitForSelector('[data-page-service="default/ratings"]', { timeout: 15_000 });
    await waitFor(async () => Number(await page.getAttribute('[data-chart="rps"]', 'data-points')) > 0, { timeoutMs: 15_000, what: 'ratings rps chart points' });
    await shot(page, 'demo-02-service-ratings');
    const services = await waitFor(
      async () => {
        const seen = await openProductpageTrace(page, base, 'demo-03-');
        // The newest trace may still miss the spans reported last: wait for one with all four services.
        return ['productpage.default', 'details.default', 'reviews.default', 'ratings.default'].every((x) => seen.includes(x)) ? seen : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'a productpage trace reaching details and ratings' },
    );
    expect(services).toEqual(expect.arrayContaining(['details.default']));
  }, 120_000);

  it('says that pilot does not answer when the mesh runs without it', async () => {
    await page.goto(`${demo.telemetryUrls[0] ?? ''}/#/proxies`);
    await page.waitForSelector('[role=alert]', { timeout: 15_000 });
    expect(await page.textContent('[role=alert]')).toContain('Pilot does not answer');
    await shot(page, 'demo-04-proxies-without-pilot');
  }, 60_000);
});
