import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { telemetryReportsSubject } from '@weft/api';
import { createTestInfra, freePort, waitFor, withDeadline, type TestInfra, type TestProcess } from '@weft/testing';
import type { MeshIngest } from '../../src/metrics/mesh-metrics.repository';
import { FakeProxy, getJson, getText, PROXIES, startReplica, sumMetric } from './telemetry-harness';

/**
 * Redis away under a running replica (a private redis-server with an append-only file, stopped and
 * restarted on the same port): the replica keeps consuming, retries its flush, and once Redis is back
 * stores everything it held — no report lost, none counted twice — while /metrics keeps serving the
 * replica's own counters (weft_telemetry_store_up 0).
 */
const PER_REPORT = 10;
const REDIS_SERVER = existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  await waitFor(async () => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }, { timeoutMs: 10_000, what: 'redis-server to answer' });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await withDeadline(exited, 10_000, 'redis-server to stop');
}

describe('telemetry replica while Redis is away', () => {
  let infra: TestInfra;
  let port: number;
  let dir: string;
  let redis: ChildProcess | null = null;
  let replica: { proc: TestProcess; base: string } | null = null;
  const proxies = PROXIES.map((p) => new FakeProxy(p));
  let published = 0;

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-redis-outage');
    port = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'weft-redis-'));
    redis = await startRedis(port, dir);
    replica = await startReplica({ ...infra, redisUrl: `redis://127.0.0.1:${port}` }, 'outage-a');
  });

  afterAll(async () => {
    await replica?.proc.kill('SIGKILL');
    if (redis !== null && redis.exitCode === null) await stop(redis);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    await infra?.close();
  });

  function publishRounds(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const p of proxies) {
        infra.nats.publish(telemetryReportsSubject(infra.subjectPrefix), JSON.stringify(p.interval(PER_REPORT - 1, 1)));
        published++;
      }
    }
  }

  const base = () => replica?.base ?? '';
  const ingest = async () => (await getJson<MeshIngest>(base(), '/api/v1/ingest')).body;

  it('holds what it ingested while Redis is down and stores it exactly once when Redis is back', async () => {
    publishRounds(10);
    await waitFor(async () => (await ingest()).reports === published, { timeoutMs: 15_000, what: 'reports before the outage' });

    if (redis !== null) await stop(redis);
    publishRounds(10);
    await infra.nats.flush();
    const during = await waitFor(
      async () => {
        const m = await getText(base(), '/metrics');
        const held = sumMetric(m, 'weft_telemetry_pending_records') === 10 * PROXIES.length * PER_REPORT;
        return held && sumMetric(m, 'weft_telemetry_flushes_total', { result: 'error' }) > 0 ? m : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'failed flushes holding the reports' },
    );
    expect(sumMetric(during, 'weft_telemetry_store_up')).toBe(0);
    expect(during).not.toContain('istio_requests_total');
    expect((await getJson(base(), '/api/v1/stat')).status).toBe(503);

    redis = await startRedis(port, dir);
    const final = await waitFor(
      async () => {
        const m = await ingest();
        return m.reports === published ? m : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `${published} reports stored after Redis came back` },
    );
    expect(final).toMatchObject({ records: published * PER_REPORT, missingReports: 0 });
    const metrics = await getText(base(), '/metrics');
    expect(sumMetric(metrics, 'istio_requests_total')).toBe(published * PER_REPORT);
    expect(sumMetric(metrics, 'weft_telemetry_records_lost_total')).toBe(0);
    expect(sumMetric(metrics, 'weft_telemetry_store_up')).toBe(1);
  });
});
