import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestInfra, startProcess, type TestInfra, type TestProcess } from '@weft/testing';
import { startReplica } from '../integration/telemetry-harness';

/**
 * The demo mesh reporting to telemetry, for end-to-end tests (and the dashboard's browser test):
 * two weft-telemetry replicas, the demo services (demo/bin/weft-demo.js) each behind a weft-proxy
 * sidecar (the built bin, `--nats`), all as real processes over the suite's own NATS subject and
 * Redis key prefixes. The sidecars load demo/bootstrap/<workload>.yaml (the demo's static
 * bootstraps, as demo/test/mesh.e2e-spec.ts) with every port of the plan moved to a free one, so it
 * runs beside `npm run up`.
 *
 *   const mesh = await startDemoMesh();
 *   await fetch(mesh.productpageUrl);            // enters at productpage's sidecar (inbound)
 *   await fetch(`${mesh.telemetryUrls[0]}/api/v1/stat`);
 *   await mesh.stop();
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const PROXY_BIN = join(ROOT, 'apps/proxy/bin/weft-proxy.js');
const DEMO_BIN = join(ROOT, 'demo/bin/weft-demo.js');

interface Workload {
  readonly name: string;
  readonly service: string;
  readonly version: string;
  readonly app: number;
  readonly admin: number;
  readonly outbound: number | null;
  readonly inbound: number;
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

async function startSidecar(w: Workload, plan: Plan, bootstrap: string, infra: TestInfra, o: DemoMeshOptions): Promise<TestProcess> {
  const { proc } = await startProcess({
    name: `${w.name}-proxy`,
    command: process.execPath,
    args: [
      PROXY_BIN, '--config', bootstrap, '--service', w.service, '--namespace', plan.namespace, '--labels', `app=${w.service},version=${w.version}`,
      '--node-id', `sidecar~127.0.0.1~${w.name}.${plan.namespace}`, '--access-log', 'off', '--log-level', 'info',
      '--nats', infra.natsUrl, '--subject-prefix', infra.subjectPrefix, '--telemetry-interval-ms', String(o.intervalMs ?? 1000),
      '--trace-sampling', String(o.traceSampling ?? 100), '--log-sampling', String(o.logSampling ?? 100),
    ],
    env: {},
    ready: (l) => l['msg'] === 'proxy ready',
  });
  return proc;
}

/** Starts telemetry ×2, then every demo workload (app, then its sidecar); resolves once all are ready. */
export async function startDemoMesh(options: DemoMeshOptions = {}): Promise<DemoMesh> {
  const plan = JSON.parse(readFileSync(join(ROOT, 'demo/workloads.json'), 'utf8')) as Plan;
  const shared = await createTestInfra('demo-telemetry');
  const infra: TestInfra = options.natsUrl === undefined ? shared : { ...shared, natsUrl: options.natsUrl };
  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-telemetry-'));
  const map = new Map<number, number>();
  const moved = (p: number): number => map.get(p) ?? p;
  const procs: TestProcess[] = [];
  const replicas: { proc: TestProcess; base: string }[] = [];
  const sidecars: DemoSidecar[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([...sidecars.map((s) => s.proc.kill('SIGTERM')), ...procs.map((p) => p.kill('SIGTERM'))]);
    await Promise.all(replicas.map((r) => r.proc.kill('SIGTERM')));
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const id of ['telemetry-a', 'telemetry-b']) replicas.push(await startReplica(infra, id));
    // Ports are picked once the replicas (port 0) listen, just before the workloads take them.
    const ports = plan.workloads.flatMap(planPorts);
    const free = await freePorts(ports.length);
    ports.forEach((p, i) => map.set(p, free[i]));
    await Promise.all(
      plan.workloads.map(async (w) => {
        procs.push(await startService(w, moved));
        const file = join(dir, `${w.name}.yaml`);
        const yaml = readFileSync(join(ROOT, 'demo/bootstrap', `${w.name}.yaml`), 'utf8');
        writeFileSync(file, yaml.replace(/port_value: (\d+)/g, (_m, p: string) => `port_value: ${moved(Number(p))}`));
        sidecars.push({ workload: w, proc: await startSidecar(w, plan, file, infra, options), admin: `http://127.0.0.1:${moved(w.admin)}` });
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const target = plan.workloads.find((w) => w.name === plan.traffic.target) as Workload;
  return {
    telemetryUrls: replicas.map((r) => r.base),
    productpageUrl: `http://127.0.0.1:${moved(target.inbound)}${plan.traffic.path}`,
    replicas,
    sidecars,
    infra,
    stop,
  };
}

/** The harness's entry point: `const { telemetryUrls, productpageUrl, stop } = await start()`. */
export const start = startDemoMesh;
