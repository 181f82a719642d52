#!/usr/bin/env node
// `npm run up`: installs what is missing, makes NATS and Redis available, builds, then starts the
// mesh components listed in COMPONENTS, waits until each is ready and prints the endpoints.
// Ctrl-C stops what it started (servers it found running are left alone). `--no-build` skips the build,
// `--no-demo` starts the control plane without the demo services, their proxies and the traffic.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureInstall } from './ensure-install.mjs';
import {
  ROOT, TMP, UserError, describeExit, exitOf, exitStatus, fail, hasExited, killNow, log, nxEnv,
  onShutdownSignals, prefixLines, sleep, terminate,
} from './proc.mjs';
import { portInUse } from './probe.mjs';
import { ensureServers } from './servers.mjs';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const REGISTRY_STATIC_FILE = join(ROOT, 'demo/registry/static.yaml');
/** The demo's port plan (docs/demo.md): one entry per workload, each an app plus its sidecar proxy. */
const DEMO_PLAN = JSON.parse(readFileSync(join(ROOT, 'demo/workloads.json'), 'utf8'));
const DEMO_LOG_DIR = join(TMP, 'demo');

/**
 * Everything `npm run up` runs, started in this order; each must answer its `readyUrl` with 200
 * before the next starts (a null `readyUrl`: started is ready). `env` receives the NATS and Redis
 * URLs; `demo: true` marks what `--no-demo` leaves out; `stopFirst: true` is stopped before the rest;
 * `oneshot: true` runs to completion (exit 0) before the next starts; `stdoutFile` takes its output
 * instead of the terminal (a token).
 */
const PILOTS = [
  { n: 1, xdsPort: 15010, xdsTlsPort: 15012, httpPort: 15014 },
  { n: 2, xdsPort: 15020, xdsTlsPort: 15022, httpPort: 15024 },
];
const DEMO_RULES_DIR = 'demo/rules';
const CAS = [
  { n: 1, grpcPort: 8060, httpPort: 8061 },
  { n: 2, grpcPort: 8070, httpPort: 8071 },
];
/** Telemetry replicas (docs/telemetry.md): one queue group, any replica answers for the whole mesh. */
const TELEMETRY = [
  { n: 1, httpPort: 9411 },
  { n: 2, httpPort: 9421 },
];
/** Key material shared by the CA replicas (Istio's cacerts layout; created on the first run). */
const CA_DIR = join(TMP, 'ca');
/**
 * The xDS target of every sidecar: both pilot replicas' mutual-TLS ports (a proxy whose replica dies
 * moves to the other); the sidecars run with --xds-tls and check pilot's identity.
 */
const XDS_TLS_TARGET = PILOTS.map((p) => `127.0.0.1:${p.xdsTlsPort}`).join(',');
/** Pilot's bootstrap tokens (its own SVID, spiffe://cluster.local/ns/weft-system/sa/weft-pilot). */
const PILOT_DIR = join(TMP, 'pilot');

const COMPONENTS = [
  registryReplica(1, 8700, 8701),
  registryReplica(2, 8710, 8711),
  ...CAS.map(caReplica),
  ...PILOTS.map(pilotToken),
  ...PILOTS.map(pilotReplica),
  ...TELEMETRY.map(telemetryReplica),
  demoRules(),
  ...DEMO_PLAN.workloads.map(demoToken),
  ...DEMO_PLAN.workloads.map(demoService),
  ...DEMO_PLAN.workloads.map(demoSidecar),
  demoTraffic(DEMO_PLAN.traffic),
];

function registryReplica(n, httpPort, grpcPort) {
  return {
    name: `registry-${n}`,
    command: ['node', 'apps/registry/bin/weft-registry.js'],
    requires: ['apps/registry/dist/main.js'],
    ports: [httpPort, grpcPort],
    env: ({ natsUrl, redisUrl }) => ({
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      WEFT_REGISTRY_REPLICA_ID: `registry-${n}`,
      WEFT_REGISTRY_HTTP_PORT: String(httpPort),
      WEFT_REGISTRY_GRPC_PORT: String(grpcPort),
      ...(existsSync(REGISTRY_STATIC_FILE) ? { WEFT_REGISTRY_STATIC_FILE: REGISTRY_STATIC_FILE } : {}),
    }),
    readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
    endpoints: [
      ['REST', `http://127.0.0.1:${httpPort}/v1`],
      ['OpenAPI', `http://127.0.0.1:${httpPort}/v1/openapi.json`],
      ['gRPC', `127.0.0.1:${grpcPort}`],
    ],
  };
}

/** Pilot's bootstrap token for its SVID (weft-system/weft-pilot), as an operator makes one. */
function pilotToken({ n }) {
  return {
    name: `pilot-${n}-token`,
    oneshot: true,
    stdoutFile: join(PILOT_DIR, `pilot-${n}.token`),
    command: ['node', 'apps/weftctl/bin/weftctl.js', 'token', 'create', '--namespace', 'weft-system', '--service-account', 'weft-pilot', '--ttl', '1h'],
    requires: ['apps/weftctl/dist/main.js'],
    ports: [],
    env: () => ({ WEFT_CA_URL: `http://127.0.0.1:${CAS[0].httpPort}` }),
    readyUrl: null,
    endpoints: [],
  };
}

function pilotReplica({ n, xdsPort, xdsTlsPort, httpPort }) {
  return {
    name: `pilot-${n}`,
    command: ['node', 'apps/pilot/bin/weft-pilot.js'],
    requires: ['apps/pilot/dist/main.js'],
    ports: [xdsPort, xdsTlsPort, httpPort],
    env: ({ natsUrl, redisUrl }) => ({
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      WEFT_PILOT_REPLICA: `pilot-${n}`,
      WEFT_PILOT_XDS_PORT: String(xdsPort),
      WEFT_PILOT_HTTP_PORT: String(httpPort),
      WEFT_PILOT_XDS_TLS_PORT: String(xdsTlsPort),
      WEFT_PILOT_CA: CAS.map((c) => `127.0.0.1:${c.grpcPort}`).join(','),
      WEFT_PILOT_CA_TOKEN_FILE: join(PILOT_DIR, `pilot-${n}.token`),
    }),
    readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
    endpoints: [
      ['xDS (gRPC ADS)', `127.0.0.1:${xdsPort}`],
      ['xDS over mutual TLS (the sidecars)', `127.0.0.1:${xdsTlsPort}`],
      ['rules API', `http://127.0.0.1:${httpPort}/v1/rules`],
      ['metrics', `http://127.0.0.1:${httpPort}/metrics`],
    ],
  };
}

function caReplica({ n, grpcPort, httpPort }) {
  return {
    name: `ca-${n}`,
    command: ['node', 'apps/ca/bin/weft-ca.js'],
    requires: ['apps/ca/dist/main.js'],
    ports: [grpcPort, httpPort],
    env: ({ natsUrl, redisUrl }) => ({
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      WEFT_CA_REPLICA: `ca-${n}`,
      WEFT_CA_DIR: CA_DIR,
      WEFT_CA_GRPC_PORT: String(grpcPort),
      WEFT_CA_HTTP_PORT: String(httpPort),
    }),
    readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
    endpoints: [
      ['CSR (gRPC)', `127.0.0.1:${grpcPort}`],
      ['trust bundle', `http://127.0.0.1:${httpPort}/v1/trust-bundle`],
      ['issued certificates', `http://127.0.0.1:${httpPort}/v1/certs (weftctl certs)`],
    ],
  };
}

function telemetryReplica({ n, httpPort }) {
  const base = `http://127.0.0.1:${httpPort}`;
  return {
    name: `telemetry-${n}`,
    command: ['node', 'apps/telemetry/bin/weft-telemetry.js'],
    requires: ['apps/telemetry/dist/main.js'],
    ports: [httpPort],
    env: ({ natsUrl, redisUrl }) => ({
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      WEFT_TELEMETRY_REPLICA: `telemetry-${n}`,
      WEFT_TELEMETRY_HTTP_PORT: String(httpPort),
    }),
    readyUrl: `${base}/readyz`,
    endpoints: [
      ['golden signals', `${base}/api/v1/stat (weftctl stat)`],
      ['Zipkin v2 API', `${base}/api/v2/traces`],
      ['metrics (Istio names)', `${base}/metrics`],
    ],
  };
}

/** A bootstrap token for a demo sidecar's identity (spiffe://cluster.local/ns/default/sa/<service>), as an operator makes one. */
function demoToken(w) {
  return {
    name: `${w.name}-token`,
    demo: true,
    oneshot: true,
    stdoutFile: tokenFile(w),
    command: ['node', 'apps/weftctl/bin/weftctl.js', 'token', 'create', '--namespace', DEMO_PLAN.namespace, '--service-account', w.service, '--ttl', '1h'],
    requires: ['apps/weftctl/dist/main.js'],
    ports: [],
    env: () => ({ WEFT_CA_URL: `http://127.0.0.1:${CAS[0].httpPort}` }),
    readyUrl: null,
    endpoints: [],
  };
}

function tokenFile(w) {
  return join(DEMO_LOG_DIR, `${w.name}.token`);
}

/** The demo's Istio rules (demo/rules/*.yaml), applied once with weftctl, as an operator would. */
function demoRules() {
  return {
    name: 'demo-rules',
    demo: true,
    oneshot: true,
    command: ['node', 'apps/weftctl/bin/weftctl.js', 'apply', '-f', DEMO_RULES_DIR],
    requires: ['apps/weftctl/dist/main.js', DEMO_RULES_DIR],
    ports: [],
    env: () => ({ WEFT_PILOT_URL: `http://127.0.0.1:${PILOTS[0].httpPort}` }),
    readyUrl: null,
    endpoints: [['rules', `${DEMO_RULES_DIR}/ (weftctl get vs,dr -A; weftctl proxy-status)`]],
  };
}

/** A demo app (demo/bin/weft-demo.js) on loopback; it calls other services only through its sidecar. */
function demoService(w) {
  const outbound = w.outbound === null ? [] : ['--outbound-url', `http://127.0.0.1:${w.outbound}`];
  return {
    name: w.name,
    demo: true,
    command: ['node', 'demo/bin/weft-demo.js', w.service, '--port', String(w.app), '--version', w.version, ...outbound],
    requires: ['demo/dist/main.js'],
    ports: [w.app],
    env: () => ({}),
    readyUrl: `http://127.0.0.1:${w.app}/healthz`,
    endpoints: [],
  };
}

/**
 * The sidecar of a demo app: weft-proxy configured by pilot over xDS (its listeners, routes, clusters
 * and endpoints come from the registry and demo/rules), its SVID from the CA (bootstrap token from
 * demoToken; sidecars talk mTLS to each other), access log in tmp/demo/. Workloads that call nothing
 * still get an OUTBOUND listener from pilot: it takes the port after their admin port.
 */
function demoSidecar(w) {
  const accessLog = join(DEMO_LOG_DIR, `${w.name}.access.log`);
  const outbound = w.outbound ?? w.admin + 1;
  const page = w.name === DEMO_PLAN.traffic.target ? [['through its sidecar', `http://127.0.0.1:${w.inbound}${DEMO_PLAN.traffic.path}`]] : [];
  return {
    name: `${w.name}-proxy`,
    demo: true,
    command: ['node', 'apps/proxy/bin/weft-proxy.js', '--xds', XDS_TLS_TARGET, '--xds-tls', '--node-id', `sidecar~127.0.0.1~${w.name}.${DEMO_PLAN.namespace}`,
      '--service', w.service, '--namespace', DEMO_PLAN.namespace, '--labels', `app=${w.service},version=${w.version}`,
      '--admin-port', String(w.admin), '--outbound-port', String(outbound), '--inbound-port', String(w.inbound), '--app-port', String(w.app),
      '--xds-cache', join(DEMO_LOG_DIR, `${w.name}.xds-cache.json`), '--access-log', accessLog,
      '--ca', CAS.map((c) => `127.0.0.1:${c.grpcPort}`).join(','), '--token-file', tokenFile(w)],
    requires: ['apps/proxy/dist/main.js'],
    ports: [w.admin, w.inbound, outbound],
    // Reports, spans, access logs and tap to telemetry (--nats); 1 % of traces and successful requests' logs.
    env: ({ natsUrl }) => ({ WEFT_PROXY_NATS: natsUrl }),
    readyUrl: `http://127.0.0.1:${w.admin}/ready`,
    endpoints: [...page, ['metrics', `http://127.0.0.1:${w.admin}/stats/prometheus`], ['access log', relative(ROOT, accessLog)]],
  };
}

/** Steady requests to productpage through its sidecar; prints a summary line every few seconds. */
function demoTraffic({ target, path, rps, reportSeconds }) {
  const workload = DEMO_PLAN.workloads.find((w) => w.name === target);
  const url = `http://127.0.0.1:${workload.inbound}${path}`;
  return {
    name: 'traffic',
    demo: true,
    command: ['node', 'demo/bin/weft-demo.js', 'traffic', '--target', url, '--rps', String(rps), '--report-seconds', String(reportSeconds)],
    requires: ['demo/dist/main.js'],
    ports: [],
    env: () => ({}),
    readyUrl: null,
    stopFirst: true,
    endpoints: [['generator', `${rps} requests/s to ${url}, a summary every ${reportSeconds} s`]],
  };
}

const state = { servers: null, running: [], build: null, shuttingDown: false };

function parseArgs(argv) {
  const options = { build: true, demo: true };
  for (const arg of argv) {
    if (arg === '--no-build') options.build = false;
    else if (arg === '--no-demo') options.demo = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run up [-- --no-build] [-- --no-demo]\n'
        + 'Starts NATS, Redis, the Weft control plane and the demo (services, sidecar proxies, traffic); Ctrl-C stops them.');
      process.exit(0);
    } else throw new UserError(`unknown argument ${arg} (try --help)`);
  }
  return options;
}

async function checkPortsFree(components) {
  for (const component of components) {
    for (const port of component.ports) {
      if (await portInUse(port)) {
        throw new UserError(`port ${port} (${component.name}) is already in use: is another \`npm run up\` running? (\`ss -ltnp | grep ${port}\`)`);
      }
    }
  }
}

async function build() {
  log('building (nx run-many -t build)');
  state.build = spawn('npx', ['nx', 'run-many', '-t', 'build'], { cwd: ROOT, stdio: 'inherit', env: nxEnv() });
  const code = exitStatus(await exitOf(state.build));
  state.build = null;
  if (code !== 0) throw new UserError(`build failed (exit ${code}); fix it, or use --no-build to start the last build`);
}

function start(component) {
  const missing = component.requires.filter((path) => !existsSync(join(ROOT, path)));
  if (missing.length) throw new UserError(`${component.name}: ${missing.join(', ')} is missing; run the build (drop --no-build)`);
  const [command, ...args] = component.command;
  const env = { ...process.env, ...component.env(state.servers) };
  // Own process group: Ctrl-C reaches this script only, which stops the components in order.
  const child = spawn(command === 'node' ? process.execPath : command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (component.stdoutFile) child.stdout.pipe(createWriteStream(component.stdoutFile, { mode: 0o600 }));
  else prefixLines(child.stdout, `[${component.name}] `, process.stdout);
  prefixLines(child.stderr, `[${component.name}] `, process.stderr);
  const running = { component, child, ready: false };
  state.running.push(running);
  running.exit = exitOf(child);
  running.exit.then((exit) => {
    if (state.shuttingDown) return;
    if (component.oneshot && exitStatus(exit) === 0) return;
    const when = running.ready ? 'after it was ready' : 'before it was ready';
    log(`${component.name} ${describeExit(exit)} ${when}; stopping everything`);
    shutdown(1);
  });
  return running;
}

async function isReady(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitReady(running) {
  if (running.component.oneshot) {
    const code = exitStatus(await running.exit);
    if (code !== 0) return new Promise(() => undefined); // start()'s exit handler reports it and shuts down
    running.ready = true;
    return;
  }
  if (running.component.readyUrl === null) {
    running.ready = true;
    return;
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(running.child) || state.shuttingDown) return new Promise(() => undefined); // shutdown() exits
    if (await isReady(running.component.readyUrl)) {
      running.ready = true;
      return;
    }
    await sleep(250);
  }
  throw new UserError(`${running.component.name} did not answer ${running.component.readyUrl} with 200 within ${READY_TIMEOUT_MS / 1000} s`);
}

function printEndpoints() {
  const rows = state.running.flatMap(({ component }) => component.endpoints.map(([what, where]) => [component.name, what, where]));
  rows.push(['nats', 'NATS', state.servers.natsUrl], ['redis', 'Redis', state.servers.redisUrl]);
  const widths = [0, 1].map((col) => Math.max(...rows.map((row) => row[col].length)));
  console.log('');
  for (const row of rows) console.log(`  ${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`);
  console.log('');
  console.log(`dashboard: http://127.0.0.1:${TELEMETRY[0].httpPort}/`);
  console.log('weft: ready');
}

/** Stops the `stopFirst` components (the traffic generator: no errors caused by the shutdown), then the rest together. */
async function stopAll() {
  const stop = ({ child }) => terminate(child, { graceMs: STOP_GRACE_MS, group: true });
  await Promise.all(state.running.filter(({ component }) => component.stopFirst).map(stop));
  await Promise.all(state.running.filter(({ component }) => !component.stopFirst).reverse().map(stop));
}

async function shutdown(code) {
  if (state.shuttingDown) return;
  state.shuttingDown = true;
  if (state.build) await terminate(state.build, { graceMs: 5000 });
  await stopAll();
  if (state.servers) await state.servers.stop();
  log(code === 0 ? 'stopped' : 'stopped after a failure');
  process.exit(code);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  onShutdownSignals((signal, count) => {
    if (count === 1) log(`${signal}: stopping`);
    if (count > 1) state.running.forEach(({ child }) => killNow(child, { group: true }));
    shutdown(0);
  });
  ensureInstall();
  state.servers = await ensureServers({
    onCrash: (name, exit) => {
      log(`${name} ${describeExit(exit)}; stopping everything`);
      shutdown(1);
    },
  });
  const components = COMPONENTS.filter((component) => options.demo || !component.demo);
  await checkPortsFree(components);
  if (options.build) await build();
  if (options.demo) mkdirSync(DEMO_LOG_DIR, { recursive: true });
  mkdirSync(PILOT_DIR, { recursive: true });
  for (const component of components) await waitReady(start(component));
  printEndpoints();
}

main().catch(async (err) => {
  if (!state.shuttingDown) {
    state.shuttingDown = true;
    await stopAll();
    if (state.servers) await state.servers.stop();
  }
  fail(err);
});
