import type { ChildProcess } from 'node:child_process';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { telemetryReportsSubject } from '@weft/api';
import { createTestInfra, freePort, startNatsServer, stopServer, waitFor, type TestInfra, type TestProcess } from '@weft/testing';
import type { MeshIngest } from '../../src/metrics/mesh-metrics.repository';
import { FakeProxy, getJson, PROXIES, startReplica } from './telemetry-harness';

/**
 * NATS restarted under a running replica (a private nats-server on its own port, so other suites are
 * untouched): the replica reconnects and resumes consuming; reports published while it was away are
 * either stored or reported missing — never lost silently — and everything after is counted exactly.
 */
const PER_REPORT = 10;

describe('telemetry replica across a NATS restart', () => {
  let infra: TestInfra;
  let port: number;
  let server: ChildProcess | null = null;
  let replica: { proc: TestProcess; base: string } | null = null;
  let pub: NatsConnection | null = null;
  const proxies = PROXIES.map((p) => new FakeProxy(p));
  let published = 0;

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-nats-restart');
    port = await freePort();
    server = await startNatsServer(port);
    const natsUrl = `nats://127.0.0.1:${port}`;
    replica = await startReplica({ ...infra, natsUrl }, 'restart-a');
    pub = await connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });

  afterAll(async () => {
    await pub?.close().catch(() => undefined);
    await replica?.proc.kill('SIGKILL');
    if (server !== null && server.exitCode === null) server.kill('SIGKILL');
    await infra?.close();
  });

  const ingest = async () => (await getJson<MeshIngest>(replica?.base ?? '', '/api/v1/ingest')).body;

  function publishRounds(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const p of proxies) {
        pub?.publish(telemetryReportsSubject(infra.subjectPrefix), JSON.stringify(p.interval(PER_REPORT - 1, 1)));
        published++;
      }
    }
  }

  it('resumes after NATS comes back and accounts for every report', async () => {
    publishRounds(20);
    await waitFor(async () => (await ingest()).reports === published, { timeoutMs: 15_000, what: 'reports before the restart' });
    const before = published;

    if (server !== null) await stopServer(server, 'nats-server');
    publishRounds(5); // buffered by the publisher's client while NATS is away
    server = await startNatsServer(port);
    // The replica is back once a report published now arrives (reports in between may be missing).
    await waitFor(
      async () => {
        publishRounds(1);
        await pub?.flush();
        const m = await ingest();
        return m.reports > before + 5 || undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: 'the replica to consume again' },
    );
    const resumedAt = published;
    publishRounds(20);
    await pub?.flush();

    let previous = '';
    const final = await waitFor(
      async () => {
        const m = await ingest();
        const settled = m.reports + m.missingReports === published && JSON.stringify(m) === previous;
        previous = JSON.stringify(m);
        return settled ? m : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: `${published} reports stored or reported missing` },
    );
    expect(final.records).toBe(final.reports * PER_REPORT);
    expect(final.missingReports).toBeLessThanOrEqual(resumedAt - before);
    expect(final.reports).toBeGreaterThanOrEqual(before + (published - resumedAt));
  });
});
