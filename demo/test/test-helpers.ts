import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * Test helpers of the demo (it may not import @weft/testing, a control-plane library): free ports,
 * deadline-based waiting, and weft-proxy run as a real process from its built bin.
 */
export const REPO_ROOT = join(__dirname, '..', '..');
export const PROXY_BIN = join(REPO_ROOT, 'apps', 'proxy', 'bin', 'weft-proxy.js');

/** `n` distinct ports that were free a moment ago (all held open at once, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Polls `check` until it returns true; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : `: ${(last as Error).message}`}`);
}

export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  stop(): Promise<void>;
}

/** Starts the built weft-proxy with `args` and waits until its admin port answers /ready with 200. */
export async function startProxy(args: readonly string[], adminPort: number): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [PROXY_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(`weft-proxy ${args.join(' ')} to be ready`, async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output.join('')}`);
      const res = await fetch(`http://127.0.0.1:${adminPort}/ready`);
      await res.body?.cancel();
      return res.status === 200;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, output, stop };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
