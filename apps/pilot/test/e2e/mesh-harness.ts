import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { serviceEnv, startProcess, withDeadline, type TestInfra, type TestProcess } from '@weft/testing';

/**
 * The mesh as users run it, for end-to-end tests: the built bins of weft-registry, weft-pilot,
 * weft-proxy and weftctl as real processes over the suite's NATS/Redis prefixes, plus small HTTP apps
 * that answer with their version.
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const BIN = {
  registry: join(ROOT, 'apps/registry/bin/weft-registry.js'),
  pilot: join(ROOT, 'apps/pilot/bin/weft-pilot.js'),
  proxy: join(ROOT, 'apps/proxy/bin/weft-proxy.js'),
  weftctl: join(ROOT, 'apps/weftctl/bin/weftctl.js'),
};

export interface Running {
  readonly proc: TestProcess;
  readonly ready: Record<string, unknown>;
}

function infraEnv(infra: TestInfra): Record<string, string> {
  return {
    ...serviceEnv(infra),
    WEFT_LOG_LEVEL: 'info',
  };
}

export async function startRegistry(infra: TestInfra, id = 'registry-1'): Promise<Running & { base: string }> {
  const { proc, readyLog } = await startProcess({
    name: id,
    command: process.execPath,
    args: [BIN.registry],
    env: { ...infraEnv(infra), WEFT_REGISTRY_REPLICA_ID: id, WEFT_REGISTRY_HTTP_PORT: '0', WEFT_REGISTRY_GRPC_PORT: '0' },
    ready: (l) => l['msg'] === 'registry ready',
  });
  return { proc, ready: readyLog, base: `http://127.0.0.1:${String(readyLog['httpPort'])}` };
}

export interface PilotProcess extends Running {
  readonly id: string;
  readonly xds: string;
  readonly http: string;
}

/** A pilot replica; `xdsPort` fixed when a restarted replica must come back on the same address. */
export async function startPilot(infra: TestInfra, id: string, xdsPort = 0): Promise<PilotProcess> {
  const { proc, readyLog } = await startProcess({
    name: id,
    command: process.execPath,
    args: [BIN.pilot],
    env: { ...infraEnv(infra), WEFT_PILOT_REPLICA: id, WEFT_PILOT_XDS_PORT: String(xdsPort), WEFT_PILOT_HTTP_PORT: '0', WEFT_PILOT_DEBOUNCE_MS: '50' },
    ready: (l) => l['msg'] === 'pilot ready',
  });
  return { id, proc, ready: readyLog, xds: `127.0.0.1:${String(readyLog['xdsPort'])}`, http: `http://127.0.0.1:${String(readyLog['httpPort'])}` };
}

export interface ProxyOptions {
  readonly xds: readonly string[];
  readonly service: string;
  readonly namespace?: string;
  readonly nodeId: string;
  readonly outboundPort: number;
  readonly inboundPort?: number;
  readonly appPort?: number;
  readonly cacheFile: string;
}

/** weft-proxy configured by pilot; ready (its log line) once it serves a warm config. */
export async function startProxy(o: ProxyOptions): Promise<Running & { admin: string }> {
  const args = [
    BIN.proxy,
    '--xds', o.xds.join(','),
    '--node-id', o.nodeId,
    '--service', o.service,
    '--namespace', o.namespace ?? 'default',
    '--admin-port', '0',
    '--outbound-port', String(o.outboundPort),
    '--xds-cache', o.cacheFile,
    '--access-log', 'off',
    ...(o.inboundPort === undefined ? [] : ['--inbound-port', String(o.inboundPort)]),
    ...(o.appPort === undefined ? [] : ['--app-port', String(o.appPort)]),
  ];
  const { proc, readyLog } = await startProcess({
    name: `proxy ${o.nodeId}`,
    command: process.execPath,
    args,
    env: { WEFT_PROXY_LOG_LEVEL: 'info' },
    ready: (l) => l['msg'] === 'proxy ready',
  });
  return { proc, ready: readyLog, admin: `http://127.0.0.1:${String(readyLog['admin'])}` };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built weftctl bin against a pilot; `input` goes to stdin (for `-f -`). */
export function weftctl(pilotHttp: string, args: readonly string[], input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN.weftctl, ...args], { env: { ...process.env, WEFT_PILOT_URL: pilotHttp }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/**
 * An app instance answering `{service, version}` as JSON; counts what it served. A WebSocket upgrade
 * is accepted (101) and then echoes the bytes it reads; `upgrades` keeps the upgrade requests seen.
 */
export class VersionApp {
  served = 0;
  port = 0;
  readonly upgrades: IncomingMessage['headers'][] = [];
  private server: Server | null = null;

  constructor(readonly service: string, readonly version: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.served++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ service: this.service, version: this.version }));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      this.upgrades.push(req.headers);
      socket.on('error', () => socket.destroy());
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server?.closeAllConnections();
      this.server?.close(() => r());
    });
  }
}

async function rest(base: string, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Registers a service with one HTTP port and its instances (labels: app + version) in the registry. */
export async function registerService(registryBase: string, namespace: string, name: string, port: number, apps: readonly VersionApp[]): Promise<void> {
  await rest(registryBase, 'PUT', `/v1/namespaces/${namespace}/services/${name}`, { namespace, name, ports: [{ name: 'http', number: port, protocol: 'http' }] });
  for (const app of apps) {
    await rest(registryBase, 'POST', `/v1/namespaces/${namespace}/services/${name}/instances`, {
      id: `${name}-${app.version}-${app.port}`,
      address: '127.0.0.1',
      ports: { http: app.port },
      labels: { app: name, version: app.version },
      ttlSeconds: null,
    });
  }
}

/**
 * Registers service `name` (HTTP port `port`) whose one instance is a sidecar's inbound
 * port, labelled as meshed (`security.istio.io/tlsMode: istio`: auto mTLS) with app + version.
 */
export async function registerMeshedInstance(registryBase: string, namespace: string, name: string, port: number, version: string, inboundPort: number): Promise<void> {
  await rest(registryBase, 'PUT', `/v1/namespaces/${namespace}/services/${name}`, { namespace, name, ports: [{ name: 'http', number: port, protocol: 'http' }] });
  await rest(registryBase, 'POST', `/v1/namespaces/${namespace}/services/${name}/instances`, {
    id: `${name}-${version}`,
    address: '127.0.0.1',
    ports: { http: inboundPort },
    labels: { app: name, version, 'security.istio.io/tlsMode': 'istio' },
    ttlSeconds: null,
  });
}

export interface Outcome {
  readonly status: number;
  readonly version: string | null;
}

/** GETs through a proxy's outbound listener with the given Host; never throws (a failure is status 0). */
export async function callThrough(agent: Agent, outboundPort: number, host: string, path = '/'): Promise<Outcome> {
  try {
    const res = await request(`http://127.0.0.1:${outboundPort}${path}`, { dispatcher: agent, headers: { host } });
    const text = await res.body.text();
    const version = res.statusCode === 200 ? ((JSON.parse(text) as { version?: string }).version ?? null) : null;
    return { status: res.statusCode, version };
  } catch {
    return { status: 0, version: null };
  }
}

/**
 * A WebSocket upgrade to `port` with the given Host, then `payload`: resolves with everything read once
 * the echoed payload came back, or the connection closed (a refusal).
 */
export async function upgradeThrough(port: number, host: string, payload: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  let got = '';
  let sent = false;
  const done = new Promise<string>((resolve) => {
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (!sent && got.startsWith('HTTP/1.1 101 ') && got.includes('\r\n\r\n')) {
        sent = true;
        socket.write(payload);
      }
      if (got.endsWith(payload)) resolve(got);
    });
    socket.once('close', () => resolve(got));
    socket.once('error', () => resolve(got));
  });
  socket.write(`GET /ws HTTP/1.1\r\nhost: ${host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  try {
    return await withDeadline(done, 10_000, `an upgrade through port ${port}`);
  } finally {
    socket.destroy();
  }
}

/** Counts versions over `n` sequential-by-`concurrency` calls. */
export async function sample(agent: Agent, outboundPort: number, host: string, n: number, concurrency = 8): Promise<{ byVersion: Map<string, number>; failures: Outcome[] }> {
  const byVersion = new Map<string, number>();
  const failures: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const o = await callThrough(agent, outboundPort, host);
      if (o.status === 200 && o.version !== null) byVersion.set(o.version, (byVersion.get(o.version) ?? 0) + 1);
      else failures.push(o);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { byVersion, failures };
}

/** A sidecar in front of a local app (`--app-port`, inbound on `--inbound-port`, 0 = any) with workload labels; its bound ports from the ready log. */
export async function startSidecar(
  o: ProxyOptions & { readonly labels: Readonly<Record<string, string>> },
): Promise<Running & { admin: string; inbound: number; outbound: number }> {
  const labels = Object.entries(o.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const args = [
    BIN.proxy,
    '--xds', o.xds.join(','),
    '--node-id', o.nodeId,
    '--service', o.service,
    '--namespace', o.namespace ?? 'default',
    '--labels', labels,
    '--admin-port', '0',
    '--outbound-port', String(o.outboundPort),
    '--inbound-port', String(o.inboundPort ?? 0),
    '--xds-cache', o.cacheFile,
    '--access-log', 'off',
    ...(o.appPort === undefined ? [] : ['--app-port', String(o.appPort)]),
  ];
  const { proc, readyLog } = await startProcess({ name: `proxy ${o.nodeId}`, command: process.execPath, args, env: { WEFT_PROXY_LOG_LEVEL: 'info' }, ready: (l) => l['msg'] === 'proxy ready' });
  const ports = readyLog['listeners'] as Record<string, number>;
  return { proc, ready: readyLog, admin: `http://127.0.0.1:${String(readyLog['admin'])}`, inbound: Number(ports['inbound']), outbound: Number(ports['outbound']) };
}
