#!/usr/bin/env node
// `npm test`: installs what is missing, makes NATS and Redis available, then runs lint, typecheck
// and test for every Nx project (extra arguments go to nx: `npm test -- -p registry`).
// Servers started here are always stopped, also on Ctrl-C; the exit code is nx's.
import { spawn } from 'node:child_process';
import { ensureInstall } from './ensure-install.mjs';
import { ROOT, exitOf, exitStatus, fail, hasExited, log, nxEnv, onShutdownSignals } from './proc.mjs';
import { TEST_TOOLS, ensureServers, ensureTools } from './servers.mjs';

async function main() {
  const startedAt = Date.now();
  let interrupted = null;
  let nx = null;
  onShutdownSignals((signal) => {
    interrupted = signal;
    if (nx && !hasExited(nx)) nx.kill(signal);
  });
  ensureInstall();
  ensureTools(TEST_TOOLS);
  const servers = await ensureServers({
    onCrash: (name, exit) => log(`${name} stopped unexpectedly (${exit.signal ?? `code ${exit.code}`}) during the tests; see tmp/*.log`),
  });
  let code = 130;
  if (!interrupted) {
    const args = ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '--outputStyle=stream', '--parallel=2', ...process.argv.slice(2)];
    const env = nxEnv({ NATS_URL: servers.natsUrl, REDIS_URL: servers.redisUrl });
    nx = spawn('npx', args, { cwd: ROOT, stdio: 'inherit', env });
    code = exitStatus(await exitOf(nx));
  }
  await servers.stop();
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const verdict = interrupted ? `interrupted by ${interrupted}` : code === 0 ? 'passed' : `FAILED (nx exit ${code})`;
  const stopped = servers.started.length ? `; stopped ${servers.started.join(' and ')}` : '';
  log(`tests ${verdict} in ${seconds} s${stopped}`);
  process.exit(code);
}

main().catch(fail);
