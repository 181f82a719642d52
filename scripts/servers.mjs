#!/usr/bin/env node
// Makes NATS (with JetStream) and Redis available to `npm test` and `npm run up`.
// A server already answering at NATS_URL / REDIS_URL (default 127.0.0.1:4222 / :6379) is reused and
// never stopped. Otherwise, for the defaults only, the Debian binaries are started here (installed
// with apt-get first when missing and running as root) and `stop()` stops exactly those.
// Run directly (`npm run servers`) it keeps them running until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TMP, UserError, exitOf, fail, hasExited, isMain, log as defaultLog, logTail, onShutdownSignals, sleep, terminate } from './proc.mjs';
import { probeNats, probeRedis } from './probe.mjs';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

const SERVERS = [
  {
    name: 'nats',
    envVar: 'NATS_URL',
    defaultUrl: 'nats://127.0.0.1:4222',
    binary: 'nats-server',
    probe: probeNats,
    args: (dataDir) => ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', dataDir],
    usesDataDir: true,
  },
  {
    name: 'redis',
    envVar: 'REDIS_URL',
    defaultUrl: 'redis://127.0.0.1:6379',
    binary: 'redis-server',
    probe: probeRedis,
    args: () => ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
    usesDataDir: false,
  },
];

const INSTALL_HINT =
  'install with `sudo apt-get install -y --no-install-recommends nats-server redis-server` ' +
  '(Debian/Ubuntu; or run `npm test` / `npm run up` as root to let Weft do it), or start NATS with ' +
  'JetStream (`nats-server -js`) and Redis yourself and set NATS_URL / REDIS_URL';

/** Every server process started by this module, for the exit-time safety net. */
const live = new Set();
process.on('exit', () => {
  for (const handle of live) {
    if (!hasExited(handle.child)) handle.child.kill('SIGKILL');
    if (handle.dataDir) rmSync(handle.dataDir, { recursive: true, force: true });
  }
});

export function findBinary(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

function installBinaries(servers, log) {
  installPackages(servers.map((server) => ({ binary: server.binary, pkg: server.binary })), log, INSTALL_HINT);
}

/** Installs the Debian packages of the binaries that are missing (as root with apt-get), or explains. */
function installPackages(tools, log, hint) {
  const missing = tools.filter((t) => !findBinary(t.binary));
  if (missing.length === 0) return;
  const names = missing.map((t) => t.binary).join(' and ');
  if (process.getuid?.() !== 0) throw new UserError(`${names} not found: ${hint}`);
  if (!findBinary('apt-get')) throw new UserError(`${names} not found and there is no apt-get here: ${hint}`);
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  log(`installing ${pkgs.join(' ')} with apt-get`);
  const options = { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  const steps = [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]];
  for (const args of steps) {
    const result = spawnSync('apt-get', args, options);
    if (result.status !== 0) throw new UserError(`apt-get ${args[0]} failed (exit ${result.status ?? result.signal}): ${hint}`);
  }
  const stillMissing = missing.filter((t) => !findBinary(t.binary)).map((t) => t.binary);
  if (stillMissing.length) throw new UserError(`apt-get finished but ${stillMissing.join(' and ')} is still not on PATH`);
}

/**
 * Tools the test suite runs besides the servers: promtool (Debian package prometheus) lints /metrics
 * output; openssl verifies the CA's chains; chromium (headless, driven by playwright-core) loads the
 * telemetry dashboard.
 */
export const TEST_TOOLS = [
  { binary: 'promtool', pkg: 'prometheus' },
  { binary: 'openssl', pkg: 'openssl' },
  { binary: 'chromium', pkg: 'chromium' },
];

export function ensureTools(tools, { log = defaultLog } = {}) {
  installPackages(tools, log, `install ${tools.map((t) => t.pkg).join(' ')} (Debian/Ubuntu), or run \`npm test\` as root to let Weft do it`);
}

/** Removes JetStream directories left by runs that were killed before they could clean up. */
function removeStaleDataDirs() {
  const entries = existsSync(TMP) ? readdirSync(TMP) : [];
  for (const entry of entries) {
    const pid = Number(/^nats-data-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(TMP, entry), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function spawnServer(server, bin, log) {
  mkdirSync(TMP, { recursive: true });
  const dataDir = server.usesDataDir ? join(TMP, `nats-data-${process.pid}`) : null;
  const args = server.args(dataDir);
  const logFile = join(TMP, `${server.binary}.log`);
  const fd = openSync(logFile, 'a');
  writeSync(fd, `\n--- ${new Date().toISOString()} weft (pid ${process.pid}): ${bin} ${args.join(' ')}\n`);
  // Own process group: a Ctrl-C in the terminal reaches the scripts, which stop servers last.
  const child = spawn(bin, args, { cwd: TMP, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.on('error', (err) => log(`could not start ${bin}: ${err.message}`));
  return { name: server.name, child, dataDir, logFile, stopping: false };
}

/** Waits until the server answers; null when another process won the race for the port. */
async function waitReady(server, url, handle) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await server.probe(url);
    if (status.ok) return handle;
    if (hasExited(handle.child)) {
      const again = await server.probe(url);
      if (again.ok) return null;
      const { code, signal } = await exitOf(handle.child);
      throw new UserError(`${server.binary} exited (${signal ?? `code ${code}`}) before answering at ${url}; log ${handle.logFile}:\n${logTail(handle.logFile)}`);
    }
    await sleep(100);
  }
  throw new UserError(`${server.binary} did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s; log ${handle.logFile}:\n${logTail(handle.logFile)}`);
}

async function startServer(server, url, log, onCrash) {
  const again = await server.probe(url); // e.g. apt's postinst started a service meanwhile
  if (again.ok) return null;
  const bin = findBinary(server.binary);
  log(`starting ${server.binary} at ${url}`);
  const handle = spawnServer(server, bin, log);
  live.add(handle);
  handle.child.once('exit', (code, signal) => {
    if (!handle.stopping && handle.ready) onCrash(server.name, { code, signal });
  });
  try {
    const ready = await waitReady(server, url, handle);
    if (!ready) log(`another process started ${server.name} at ${url} meanwhile: reusing it`);
    handle.ready = true;
    return ready;
  } catch (err) {
    await stopHandle(handle);
    throw err;
  }
}

async function stopHandle(handle) {
  handle.stopping = true;
  await terminate(handle.child, { graceMs: STOP_GRACE_MS });
  if (handle.dataDir) rmSync(handle.dataDir, { recursive: true, force: true });
  live.delete(handle);
}

/** Finds out, for each server, whether to reuse the running one or start a local one. */
async function plan(log) {
  const decisions = [];
  for (const server of SERVERS) {
    const configured = process.env[server.envVar];
    const url = configured || server.defaultUrl;
    const status = await server.probe(url);
    if (status.ok) {
      log(`${server.name}: reusing ${url}${status.version ? ` (v${status.version})` : ''}`);
    } else if (status.fatal) {
      throw new UserError(`${server.name}: ${status.message}`);
    } else if (configured && configured !== server.defaultUrl) {
      throw new UserError(`${server.envVar}=${url} does not answer (${status.message}); start that server or unset ${server.envVar}`);
    }
    decisions.push({ server, url, start: !status.ok });
  }
  return decisions;
}

/**
 * Ensures NATS (JetStream) and Redis answer. `onCrash(name, exit)` is called if a server started
 * here dies later on its own. Returns the URLs, the names of the servers started here, and `stop()`.
 */
export async function ensureServers({ log = defaultLog, onCrash = () => undefined } = {}) {
  const decisions = await plan(log);
  const toStart = decisions.filter((decision) => decision.start);
  const started = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map(stopHandle));
  };
  try {
    if (toStart.length) {
      installBinaries(toStart.map((decision) => decision.server), log);
      removeStaleDataDirs();
    }
    for (const { server, url } of toStart) {
      const handle = await startServer(server, url, log, onCrash);
      if (handle) started.push(handle);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const [nats, redis] = decisions;
  return { natsUrl: nats.url, redisUrl: redis.url, started: started.map((handle) => handle.name), stop };
}

async function main() {
  let servers = null;
  let stopping = false;
  onShutdownSignals(async (_signal, count) => {
    if (count > 1) return;
    stopping = true;
    if (servers === null) process.exit(130); // still starting: the exit hook kills what was spawned
    await servers.stop();
    defaultLog('servers stopped');
    process.exit(0);
  });
  servers = await ensureServers({
    onCrash: (name, exit) => {
      if (stopping) return;
      defaultLog(`${name} stopped unexpectedly (${exit.signal ?? `code ${exit.code}`}); see tmp/*.log`);
      servers.stop().then(() => process.exit(1));
    },
  });
  console.log(`NATS_URL=${servers.natsUrl}`);
  console.log(`REDIS_URL=${servers.redisUrl}`);
  const owned = servers.started.length ? `started here: ${servers.started.join(', ')}` : 'all reused, nothing to stop';
  defaultLog(`servers ready (${owned}); Ctrl-C to stop`);
  setInterval(() => undefined, 1 << 30); // stay up until a signal
}

if (isMain(import.meta.url)) main().catch(fail);
