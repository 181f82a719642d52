// Child processes of the load benchmark: start, wait until they answer, read their CPU time and
// memory from /proc, stop them. Only processes started here are ever signalled, by their pid.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A free TCP port on 127.0.0.1 (bound and released; good enough on a machine of our own). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const started = [];

/** Starts `cmd args` with stdout and stderr appended to `logFile`; remembers it for stopAll(). */
export function start(name, cmd, args, logFile, env = process.env) {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const proc = { name, child, pid: child.pid, logFile, exited: null };
  child.on('exit', (code, signal) => (proc.exited = { code, signal }));
  child.on('error', (err) => (proc.exited = { code: null, signal: null, err }));
  started.push(proc);
  return proc;
}

/** Resolves when `proc` exits, or after `ms` (then false). */
export function waitExit(proc, ms) {
  if (proc.exited !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    proc.child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(proc, graceMs = 3000) {
  if (proc.exited !== null) return;
  proc.child.kill('SIGTERM');
  if (!(await waitExit(proc, graceMs))) {
    proc.child.kill('SIGKILL');
    await waitExit(proc, 1000);
  }
}

export async function stopAll() {
  await Promise.all(started.map((p) => stop(p)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL whatever is still running. */
export function killAllNow() {
  for (const p of started) if (p.exited === null) p.child.kill('SIGKILL');
}

/** At exit (normal or not): every started process killed and the bench's scratch directory removed. */
export function cleanUpAtExit(dir) {
  process.on('exit', () => {
    killAllNow();
    rmSync(dir, { recursive: true, force: true });
  });
}

/** One GET with the given Host; resolves to the status code (0 on a socket error). */
export function probe(port, host, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls until GET answers 200 (the whole chain is up), or throws with the processes' logs. */
export async function waitReady(name, port, host, path, procs, deadlineMs = 20_000) {
  const until = Date.now() + deadlineMs;
  let last = 0;
  while (Date.now() < until) {
    for (const p of procs) {
      if (p.exited !== null) throw new Error(`${p.name} exited (${JSON.stringify(p.exited)}):\n${tail(p.logFile)}`);
    }
    last = await probe(port, host, path);
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready on port ${port} (last status ${last}):\n${procs.map((p) => tail(p.logFile)).join('\n')}`);
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** User and system CPU time of a process (all its threads) in microseconds. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return { user: (Number(fields[11]) * 1e6) / CLK_TCK, sys: (Number(fields[12]) * 1e6) / CLK_TCK };
}

/** VmRSS and VmHWM (peak) in MB. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}
