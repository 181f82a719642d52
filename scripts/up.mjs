#!/usr/bin/env node
// `npm run up`: installs what is missing, makes NATS and Redis available, builds, then starts the
// mesh components listed in COMPONENTS, waits until each is ready and prints the endpoints.
// Ctrl-C stops what it started (servers it found running are left alone). `--no-build` skips the build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstall } from './ensure-install.mjs';
import {
  ROOT, UserError, describeExit, exitOf, exitStatus, fail, hasExited, killNow, log, nxEnv,
  onShutdownSignals, prefixLines, sleep, terminate,
} from './proc.mjs';
import { portInUse } from './probe.mjs';
import { ensureServers } from './servers.mjs';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const REGISTRY_STATIC_FILE = join(ROOT, 'demo/registry/static.yaml');

/**
 * Everything `npm run up` runs, started in this order; each must answer its `readyUrl` with 200
 * before the next starts. `env` receives the NATS and Redis URLs. Add pilot, proxies, telemetry and
 * the demo here.
 */
const COMPONENTS = [registryReplica(1, 8700, 8701), registryReplica(2, 8710, 8711)];

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

const state = { servers: null, running: [], build: null, shuttingDown: false };

function parseArgs(argv) {
  const options = { build: true };
  for (const arg of argv) {
    if (arg === '--no-build') options.build = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run up [-- --no-build]\nStarts NATS, Redis and the Weft mesh; Ctrl-C stops them.');
      process.exit(0);
    } else throw new UserError(`unknown argument ${arg} (try --help)`);
  }
  return options;
}

async function checkPortsFree() {
  for (const component of COMPONENTS) {
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
  prefixLines(child.stdout, `[${component.name}] `, process.stdout);
  prefixLines(child.stderr, `[${component.name}] `, process.stderr);
  const running = { component, child, ready: false };
  state.running.push(running);
  exitOf(child).then((exit) => {
    if (state.shuttingDown) return;
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
  console.log('weft: ready');
}

async function shutdown(code) {
  if (state.shuttingDown) return;
  state.shuttingDown = true;
  if (state.build) await terminate(state.build, { graceMs: 5000 });
  await Promise.all(state.running.reverse().map(({ child }) => terminate(child, { graceMs: STOP_GRACE_MS, group: true })));
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
  await checkPortsFree();
  if (options.build) await build();
  for (const component of COMPONENTS) await waitReady(start(component));
  printEndpoints();
}

main().catch(async (err) => {
  if (!state.shuttingDown) {
    state.shuttingDown = true;
    await Promise.all(state.running.map(({ child }) => terminate(child, { graceMs: STOP_GRACE_MS, group: true })));
    if (state.servers) await state.servers.stop();
  }
  fail(err);
});
