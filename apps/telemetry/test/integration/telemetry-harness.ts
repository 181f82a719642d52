import { execFile } from 'node:child_process';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeAccumulator, type RequestRecord, type TelemetryReport } from '@weft/api';
import { serviceEnv, startProcess, type TestInfra, type TestProcess } from '@weft/testing';

export const BIN = join(__dirname, '..', '..', 'bin', 'weft-telemetry.js');

/** The proxies of the tests: one workload each, calling one service. */
export const PROXIES = [
  { id: 'productpage-v1-1', workload: 'productpage-v1', namespace: 'default', calls: 'reviews' },
  { id: 'reviews-v1-1', workload: 'reviews-v1', namespace: 'default', calls: 'ratings' },
  { id: 'reviews-v2-1', workload: 'reviews-v2', namespace: 'default', calls: 'ratings' },
] as const;

function record(caller: (typeof PROXIES)[number], code: number, durationMs: number): RequestRecord {
  return {
    reporter: 'source',
    source: { workload: caller.workload, namespace: caller.namespace, principal: `spiffe://weft.local/ns/default/sa/${caller.workload}` },
    destination: { service: caller.calls, workload: null, namespace: 'default', principal: null },
    protocol: 'http',
    responseCode: code,
    grpcStatus: null,
    responseFlags: code === 503 ? 'UF' : '-',
    requestBytes: 10,
    responseBytes: 100,
    connectionSecurityPolicy: 'mutual_tls',
    durationMs,
  };
}

/** A proxy publishing reports the way the data plane will: an EdgeAccumulator flushed per interval. */
export class FakeProxy {
  readonly acc: EdgeAccumulator;
  private t = Date.now();

  constructor(readonly spec: (typeof PROXIES)[number]) {
    this.acc = new EdgeAccumulator({ proxy: { id: spec.id, workload: spec.workload, namespace: spec.namespace }, now: () => this.t });
  }

  /** One interval: `ok` 200s (1..ok ms) and `failed` 503s (50 ms), plus a TCP connection. */
  interval(ok: number, failed: number): TelemetryReport {
    for (let i = 0; i < ok; i++) this.acc.add(record(this.spec, 200, 1 + (i % 20)));
    for (let i = 0; i < failed; i++) this.acc.add(record(this.spec, 503, 50));
    const r = record(this.spec, 200, 0);
    this.acc.addTcp({ reporter: 'source', source: r.source, destination: r.destination, connectionSecurityPolicy: 'mutual_tls', opened: true, closed: true, sentBytes: 7, receivedBytes: 9 });
    this.t = Math.max(this.t + 1, Date.now());
    return this.acc.flush();
  }
}

export async function getJson<T>(base: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

export async function getText(base: string, path: string): Promise<string> {
  const res = await fetch(`${base}${path}`);
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return res.text();
}

/** Sum of the samples of one metric name whose labels contain every `match` pair. */
export function sumMetric(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Runs `promtool check metrics` on an exposition; resolves with its exit code and output. */
export async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-promtool-'));
  const file = join(dir, 'metrics.txt');
  await writeFile(file, text);
  return new Promise((resolve) => {
    const child = execFile('/bin/sh', ['-c', `/usr/bin/promtool check metrics < "${file}"`], (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), output: `${stdout}${stderr}` }),
    );
    child.stdin?.end();
  });
}

export function replicaEnv(infra: TestInfra, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...serviceEnv(infra),
    WEFT_TELEMETRY_HTTP_PORT: '0',
    WEFT_TELEMETRY_FLUSH_MS: '200',
    WEFT_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A replica as users run it: the built bin in its own process. */
export async function startReplica(infra: TestInfra, id: string): Promise<{ proc: TestProcess; base: string }> {
  const { proc, readyLog } = await startProcess({
    name: id,
    command: process.execPath,
    args: [BIN],
    env: replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: id }),
    ready: (log) => log['msg'] === 'telemetry ready',
  });
  return { proc, base: `http://127.0.0.1:${String(readyLog['httpPort'])}` };
}
