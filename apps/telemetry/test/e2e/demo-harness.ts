import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestInfra, serviceEnv, startProcess, waitFor, type TestInfra, type TestProcess } from '@weft/testing';
import { startReplica } from '../integration/telemetry-harness';

/**
 * The demo mesh reporting to telemetry, for end-to-end tests (and the dashboard's browser test):
 * two weft-telemetry replicas, the demo services (demo/bin/weft-demo.js) each behind a weft-proxy
 * sidecar (the built bin, `--nats`), all as real processes over the suite's own NATS subject and
 * Redis key prefixes, every port of demo/workloads.json moved to a free one (it runs beside
 * `npm run up`). By default the sidecars load demo/bootstrap/<workload>.yaml (the demo's static
 * bootstraps, as demo/test/mesh.e2e-spec.ts); with `controlPlane: true` they get their config from
 * weft-pilot (services in weft-registry) and their certificates from weft-ca, as in `npm run up`.
 *
 *   const mesh = await startDemoMesh();
 *   await fetch(mesh.productpageUrl);            // enters at productpage's sidecar (inbound)
 *   await fetch(`${mesh.telemetryUrls[0]}/api/v1/stat`);
 *   await mesh.stop();
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const PROXY_BIN = join(ROOT, 'apps/proxy/bin/weft-proxy.js');
const DEMO_BIN = join(ROOT, 'demo/bin/weft-demo.js');
const BINS = {
  registry: join(ROOT, 'apps/registry/bin/weft-registry.js'),
  pilot: join(ROOT, 'apps/pilot/bin/weft-pilot.js'),
  ca: join(ROOT, 'apps/ca/bin/weft-ca.js'),
};

interface Workload {
  readonly name: string;
  readonly service: string;
  readonly version: string;
  readonly app: number;
  readonly admin: number;
  readonly outbound: number | null;
  readonly inbound: number;
  /** Services this workload calls. */
  readonly calls: readonly string[];
}
interface Plan {
  readonly namespace: string;
  readonly workloads: readonly Workload[];
  readonly traffic: { readonly target: string; readonly path: string };
}

export interface DemoMeshOptions {
  /** Percentage of new traces the sidecars sample (default 100: every request is traced). */
  readonly traceSampling?: number;
  /** Percentage of successful requests' access logs sent (default 100). */
  readonly logSampling?: number;
  /** Report interval of the sidecars (default 1000 ms). */
  readonly intervalMs?: number;
  /** NATS of the replicas and sidecars (default: the test NATS, with the suite's subject prefix) — e.g. a private nats-server to restart. */
  readonly natsUrl?: string;
  /**
   * Run the demo as `npm run up` does: weft-registry, weft-pilot and weft-ca; sidecars configured over
   * xDS (no demo/rules: reviews round robin over v1/v2/v3) with SPIFFE certificates, talking mTLS.
   * Default false: sidecars load the demo's static bootstraps (no control plane, plaintext).
   */
  readonly controlPlane?: boolean;
}

export interface DemoSidecar {
  readonly workload: Workload;
  readonly proc: TestProcess;
  /** Admin base URL (/stats/prometheus). */
  readonly admin: string;
}

export interface DemoMesh {
  /** Base URLs of the two telemetry replicas (HTTP API, /metrics, dashboard). */
  readonly telemetryUrls: readonly string[];
  /** The product page through productpage's sidecar (its INBOUND listener). */
  readonly productpageUrl: string;
  readonly replicas: readonly { proc: TestProcess; base: string }[];
  readonly sidecars: readonly DemoSidecar[];
  readonly infra: TestInfra;
  /** Pages the harness fetched to warm the routes up (control plane only; else 0): telemetry counts them. */
  readonly warmupPages: number;
  stop(): Promise<void>;
}

async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function planPorts(w: Workload): number[] {
  return [w.app, w.admin, w.inbound, ...(w.outbound === null ? [] : [w.outbound])];
}

async function startService(w: Workload, moved: (p: number) => number): Promise<TestProcess> {
  const outbound = w.outbound === null ? [] : ['--outbound-url', `http://127.0.0.1:${moved(w.outbound)}`];
  const { proc } = await startProcess({
    name: w.name,
    command: process.execPath,
    args: [DEMO_BIN, w.service, '--port', String(moved(w.app)), '--version', w.version, ...outbound],
    env: { WEFT_LOG_LEVEL: 'info' },
    ready: (l) => l['msg'] === 'service ready',
  });
  return proc;
}

interface ControlPlane {
  readonly procs: TestProcess[];
  readonly xds: string;
  readonly caGrpc: string;
  readonly caHttp: string;
  readonly registryHttp: string;
}

async function startBin(name: string, bin: string, env: Record<string, string>, readyMsg: string): Promise<{ proc: TestProcess; ready: Record<string, unknown> }> {
  const { proc, readyLog } = await startProcess({ name, command: process.execPath, args: [bin], env, ready: (l) => l['msg'] === readyMsg, timeoutMs: 45_000 });
  return { proc, ready: readyLog };
}

/** weft-registry, weft-pilot and weft-ca on the suite's shared NATS/Redis prefixes (ports 0). */
async function startControlPlane(infra: TestInfra, dir: string, procs: TestProcess[]): Promise<ControlPlane> {
  const env = { ...serviceEnv(infra), WEFT_LOG_LEVEL: 'info' };
  const registry = await startBin('registry', BINS.registry, { ...env, WEFT_REGISTRY_HTTP_PORT: '0', WEFT_REGISTRY_GRPC_PORT: '0' }, 'registry ready');
  procs.push(registry.proc);
  const [pilot, ca] = await Promise.all([
    startBin('pilot', BINS.pilot, { ...env, WEFT_PILOT_REPLICA: 'pilot-1', WEFT_PILOT_XDS_PORT: '0', WEFT_PILOT_HTTP_PORT: '0', WEFT_PILOT_DEBOUNCE_MS: '50' }, 'pilot ready'),
    startBin('ca', BINS.ca, { ...env, WEFT_CA_DIR: join(dir, 'ca'), WEFT_CA_GRPC_PORT: '0', WEFT_CA_HTTP_PORT: '0' }, 'ca ready'),
  ]);
  procs.push(pilot.proc, ca.proc);
  const at = (r: Record<string, unknown>, k: string): string => `127.0.0.1:${String(r[k])}`;
  return { procs, xds: at(pilot.ready, 'xdsPort'), caGrpc: at(ca.ready, 'grpcPort'), caHttp: `http://${at(ca.ready, 'httpPort')}`, registryHttp: `http://${at(registry.ready, 'httpPort')}` };
}

async function rest(method: string, url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json().catch(() => null);
}

/** Sidecar flags of either mode: static bootstrap (`--config`), or pilot + CA (`--xds`, `--ca`). */
async function sidecarArgs(w: Workload, ctx: MeshContext): Promise<string[]> {
  const { plan, dir, moved, cp } = ctx;
  if (cp === null) {
    const file = join(dir, `${w.name}.yaml`);
    const yaml = readFileSync(join(ROOT, 'demo/bootstrap', `${w.name}.yaml`), 'utf8');
    writeFileSync(file, yaml.replace(/port_value: (\d+)/g, (_m, p: string) => `port_value: ${moved(Number(p))}`));
    return ['--config', file];
  }
  const token = (await rest('POST', `${cp.caHttp}/v1/tokens`, { namespace: plan.namespace, serviceAccount: w.service })) as { token: string };
  const tokenFile = join(dir, `${w.name}.token`);
  writeFileSync(tokenFile, token.token, { mode: 0o600 });
  const outbound = w.outbound === null ? (await freePorts(1))[0] : moved(w.outbound);
  return [
    '--xds', cp.xds, '--ca', cp.caGrpc, '--token-file', tokenFile, '--xds-cache', join(dir, `${w.name}.xds.json`),
    '--admin-port', String(moved(w.admin)), '--outbound-port', String(outbound), '--inbound-port', String(moved(w.inbound)), '--app-port', String(moved(w.app)),
  ];
}

interface MeshContext {
  readonly plan: Plan;
  readonly dir: string;
  readonly moved: (p: number) => number;
  readonly infra: TestInfra;
  readonly cp: ControlPlane | null;
  readonly o: DemoMeshOptions;
}

async function startSidecar(w: Workload, ctx: MeshContext): Promise<TestProcess> {
  const { plan, infra, o } = ctx;
  const { proc } = await startProcess({
    name: `${w.name}-proxy`,
    command: process.execPath,
    args: [
      PROXY_BIN, ...(await sidecarArgs(w, ctx)), '--service', w.service, '--namespace', plan.namespace, '--labels', `app=${w.service},version=${w.version}`,
      '--node-id', `sidecar~127.0.0.1~${w.name}.${plan.namespace}`, '--access-log', 'off', '--log-level', 'info',
      '--nats', infra.natsUrl, '--subject-prefix', infra.subjectPrefix, '--telemetry-interval-ms', String(o.intervalMs ?? 1000),
      '--trace-sampling', String(o.traceSampling ?? 100), '--log-sampling', String(o.logSampling ?? 100),
    ],
    env: {},
    ready: (l) => l['msg'] === 'proxy ready',
    timeoutMs: 45_000,
  });
  return proc;
}

/** With the control plane: registers the demo's services and one instance per workload (its sidecar's inbound port, `tlsMode: istio` for auto mTLS). */
async function register(ctx: MeshContext): Promise<void> {
  const { plan, moved, cp } = ctx;
  if (cp === null) return;
  const ns = plan.namespace;
  for (const service of new Set(plan.workloads.map((w) => w.service))) {
    await rest('PUT', `${cp.registryHttp}/v1/namespaces/${ns}/services/${service}`, { namespace: ns, name: service, ports: [{ name: 'http', number: 9080, protocol: 'http' }] });
  }
  for (const w of plan.workloads) {
    const labels = { app: w.service, version: w.version, 'security.istio.io/tlsMode': 'istio' };
    await rest('POST', `${cp.registryHttp}/v1/namespaces/${ns}/services/${w.service}/instances`, { id: w.name, address: '127.0.0.1', ports: { http: moved(w.inbound) }, labels, ttlSeconds: null });
  }
}

interface PageVersions {
  readonly versions?: { details: string | null; reviews: string | null; ratings: string | null };
}

/**
 * With the control plane, sidecars learn their routes on demand (VHDS): warm-up pages are fetched
 * until one came back complete from each reviews version (v2/v3 with ratings). They reach telemetry
 * like any traffic: resolves with their number, for tests that compare against a baseline.
 */
async function warmUp(controlPlane: boolean, url: string): Promise<number> {
  if (!controlPlane) return 0;
  const complete = new Set<string>();
  let pages = 0;
  await waitFor(
    async () => {
      pages++;
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const v = ((await res.json()) as PageVersions).versions;
      if (res.status === 200 && v !== undefined && v.details !== null && v.reviews !== null && (v.reviews === 'v1' || v.ratings !== null)) complete.add(v.reviews);
      return complete.size === 3;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: 'a complete page from every reviews version' },
  );
  return pages;
}

/**
 * Starts telemetry ×2 (and with `controlPlane` registry, pilot and CA), then every demo workload (app,
 * then its sidecar); resolves once all are ready (with the control plane: and their routes warm).
 */
export async function startDemoMesh(options: DemoMeshOptions = {}): Promise<DemoMesh> {
  const plan = JSON.parse(readFileSync(join(ROOT, 'demo/workloads.json'), 'utf8')) as Plan;
  const shared = await createTestInfra('demo-telemetry');
  const infra: TestInfra = options.natsUrl === undefined ? shared : { ...shared, natsUrl: options.natsUrl };
  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-telemetry-'));
  const map = new Map<number, number>();
  const moved = (p: number): number => map.get(p) ?? p;
  const procs: TestProcess[] = [];
  const control: TestProcess[] = [];
  const replicas: { proc: TestProcess; base: string }[] = [];
  const sidecars: DemoSidecar[] = [];
  const controlPlane = options.controlPlane === true;
  const stop = async (): Promise<void> => {
    await Promise.all([...sidecars.map((s) => s.proc.kill('SIGTERM')), ...procs.map((p) => p.kill('SIGTERM'))]);
    await Promise.all([...replicas.map((r) => r.proc.kill('SIGTERM')), ...control.map((p) => p.kill('SIGTERM'))]);
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cp = controlPlane ? await startControlPlane(shared, dir, control) : null;
    for (const id of ['telemetry-a', 'telemetry-b']) replicas.push(await startReplica(infra, id));
    // Ports are picked once everything on port 0 listens, just before the workloads take them.
    const ports = plan.workloads.flatMap(planPorts);
    const free = await freePorts(ports.length);
    ports.forEach((p, i) => map.set(p, free[i]));
    const ctx: MeshContext = { plan, dir, moved, infra, cp, o: options };
    await Promise.all(
      plan.workloads.map(async (w) => {
        procs.push(await startService(w, moved));
        sidecars.push({ workload: w, proc: await startSidecar(w, ctx), admin: `http://127.0.0.1:${moved(w.admin)}` });
      }),
    );
    await register(ctx);
  } catch (err) {
    await stop();
    throw err;
  }
  const target = plan.workloads.find((w) => w.name === plan.traffic.target) as Workload;
  const productpageUrl = `http://127.0.0.1:${moved(target.inbound)}${plan.traffic.path}`;
  const warmupPages = await warmUp(controlPlane, productpageUrl).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return {
    telemetryUrls: replicas.map((r) => r.base),
    productpageUrl,
    warmupPages,
    replicas,
    sidecars,
    infra,
    stop,
  };
}

/** The harness's entry point: `const { telemetryUrls, productpageUrl, stop } = await start()`. */
export const start = startDemoMesh;
