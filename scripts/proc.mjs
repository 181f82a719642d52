// Process helpers shared by the workspace scripts (up, test, servers). Node builtins only: these
// scripts run on a fresh clone before `npm ci`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TMP = join(ROOT, 'tmp');

/** An expected failure with an actionable message: printed without a stack trace. */
export class UserError extends Error {}

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl) {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(metaUrl);
  } catch {
    return false;
  }
}

export function log(message) {
  console.error(`weft: ${message}`);
}

/** Prints a failure (stack only for unexpected errors) and exits non-zero. */
export function fail(err) {
  log(err instanceof UserError ? err.message : err?.stack ?? String(err));
  process.exit(1);
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Environment for every nx invocation: no daemon, no cloud. */
export function nxEnv(extra = {}) {
  return { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...extra };
}

export function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with `{ code, signal }` once the child has exited. */
export function exitOf(child) {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', () => done({ code: 127, signal: null }));
  });
}

/** A shell-style exit status: the code, or 128 + signal number. */
export function exitStatus({ code, signal }) {
  if (code !== null && code !== undefined) return code;
  return 128 + (constants.signals[signal] ?? 0);
}

export function describeExit({ code, signal }) {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Resolves true if the child exits within `ms`, false otherwise. */
export function waitForExit(child, ms) {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

function signalChild(child, signal, group) {
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL if the child is still running after `graceMs`. */
export async function terminate(child, { graceMs = 5000, group = false } = {}) {
  if (!child.pid || hasExited(child)) return;
  signalChild(child, 'SIGTERM', group);
  if (await waitForExit(child, graceMs)) return;
  signalChild(child, 'SIGKILL', group);
  await waitForExit(child, 2000);
}

export function killNow(child, { group = false } = {}) {
  if (child.pid && !hasExited(child)) signalChild(child, 'SIGKILL', group);
}

/** The last `lines` lines of a log file, indented, for error messages. */
export function logTail(file, lines = 15) {
  if (!existsSync(file)) return `  (no log at ${file})`;
  const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  return tail.map((line) => `  | ${line}`).join('\n');
}

/** Copies a child's output line by line to `out`, each line prefixed (e.g. `[registry-1] `). */
export function prefixLines(stream, prefix, out) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    out.write(`${prefix}${line}\n`);
  });
}

/** Runs a command to completion with inherited stdio; resolves with its exit status. */
export async function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  return exitStatus(await exitOf(child));
}

/** Calls `handler(signal, count)` on SIGINT, SIGTERM and SIGHUP (count starts at 1). */
export function onShutdownSignals(handler) {
  let count = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      count += 1;
      handler(signal, count);
    });
  }
}
