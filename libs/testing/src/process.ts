import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { withDeadline } from './wait';

/**
 * A service started as a real OS process (the way users run it), for end-to-end tests: waits until a
 * log line says it is ready, keeps its output for failure messages, and can be killed like a crash.
 */
export interface TestProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines (pino) in arrival order. */
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | NodeJS.Signals>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

export interface StartProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Returns a value once the process reports it is ready (e.g. the "registry ready" log line). */
  readonly ready: (log: Record<string, unknown>) => boolean;
  readonly timeoutMs?: number;
}

export async function startProcess(o: StartProcessOptions): Promise<{ proc: TestProcess; readyLog: Record<string, unknown> }> {
  const child = spawn(o.command, [...o.args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let onReady: (l: Record<string, unknown>) => void = () => undefined;
  const readyLog = new Promise<Record<string, unknown>>((resolve) => (onReady = resolve));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0)),
  );
  const take = (line: string): void => {
    raw.push(line);
    if (raw.length > 200) raw.shift();
    try {
      const log = JSON.parse(line) as Record<string, unknown>;
      logs.push(log);
      if (o.ready(log)) onReady(log);
    } catch {
      // not JSON: kept in raw for diagnostics
    }
  };
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', take);
  if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', take);
  const proc: TestProcess = {
    name: o.name,
    child,
    logs,
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const early = exited.then((code) => {
    throw new Error(`${o.name} exited (${String(code)}) before it was ready:\n${raw.slice(-30).join('\n')}`);
  });
  try {
    const log = await withDeadline(Promise.race([readyLog, early]), o.timeoutMs ?? 30_000, `${o.name} to be ready`);
    return { proc, readyLog: log };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
