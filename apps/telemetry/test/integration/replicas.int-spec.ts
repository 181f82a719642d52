import { telemetryReportsSubject } from '@weft/api';
import { createTestInfra, waitFor, type TestInfra, type TestProcess } from '@weft/testing';
import type { MeshIngest } from '../../src/metrics/mesh-metrics.repository';
import type { ServiceStat } from '../../src/windows/window-stats';
import { FakeProxy, getJson, getText, PROXIES, startReplica, sumMetric } from './telemetry-harness';

/**
 * Two replica processes (the built bin) in one queue group: every report is counted exactly once
 * across them, either answers for both; then one is SIGKILLed mid-stream. NATS core does not redeliver
 * what the dead replica held, so the test asserts that every report is either stored or reported as
 * missing (weft_telemetry_reports_missing) — never lost silently.
 */
const PER_REPORT = 10;

describe('two telemetry replicas (processes) sharing the queue group', () => {
  let infra: TestInfra;
  const procs: TestProcess[] = [];
  let a: { proc: TestProcess; base: string };
  let b: { proc: TestProcess; base: string };
  const proxies = PROXIES.map((p) => new FakeProxy(p));
  let published = 0;

  function publishRound(): void {
    for (const p of proxies) {
      infra.nats.publish(telemetryReportsSubject(infra.subjectPrefix), JSON.stringify(p.interval(PER_REPORT - 2, 2)));
      published++;
    }
  }

  const ingestOf = async (base: string) => (await getJson<MeshIngest>(base, '/api/v1/ingest')).body;

  /** Settled: the survivor holds nothing unflushed, every report is stored or missing, and two reads agree. */
  async function settled(): Promise<MeshIngest> {
    let previous = '';
    return waitFor(
      async () => {
        const pending = sumMetric(await getText(b.base, '/metrics'), 'weft_telemetry_pending_records');
        const m = await ingestOf(b.base);
        const done = pending === 0 && m.reports + m.missingReports === published && JSON.stringify(m) === previous;
        previous = JSON.stringify(m);
        return done ? m : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: `${published} reports stored or reported missing` },
    );
  }

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-replicas');
    [a, b] = await Promise.all([startReplica(infra, 'replica-a'), startReplica(infra, 'replica-b')]);
    procs.push(a.proc, b.proc);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await infra?.close();
  });

  it('counts every report exactly once across the replicas, and both answer for all', async () => {
    for (let i = 0; i < 50; i++) publishRound();
    const total = published * PER_REPORT;
    await waitFor(async () => (await ingestOf(b.base)).records === total, { timeoutMs: 15_000, what: `${total} records stored` });
    const [ma, mb] = await Promise.all([getText(a.base, '/metrics'), getText(b.base, '/metrics')]);
    const ingestedA = sumMetric(ma, 'weft_telemetry_records_ingested_total');
    const ingestedB = sumMetric(mb, 'weft_telemetry_records_ingested_total');
    expect(ingestedA + ingestedB).toBe(total);
    expect(ingestedA).toBeGreaterThan(0);
    expect(ingestedB).toBeGreaterThan(0);
    expect(sumMetric(ma, 'istio_requests_total')).toBe(total);
    expect(sumMetric(mb, 'istio_requests_total')).toBe(total);
    const stat = async (base: string) => (await getJson<{ services: ServiceStat[] }>(base, '/api/v1/stat?window=5m')).body.services.map((s) => [s.service, s.requests]);
    expect(await stat(a.base)).toEqual(await stat(b.base));
    expect(await ingestOf(a.base)).toMatchObject({ missingReports: 0, reports: published });
  });

  it('reports the loss when a replica is killed mid-stream, and counts the rest exactly', async () => {
    const before = published;
    for (let i = 0; i < 20; i++) publishRound();
    await infra.nats.flush();
    const ingestedByA = sumMetric(await getText(a.base, '/metrics'), 'weft_telemetry_records_ingested_total');
    for (let i = 0; i < 10; i++) publishRound();
    await a.proc.kill('SIGKILL');
    for (let i = 0; i < 30; i++) {
      publishRound();
      if (i % 10 === 9) await infra.nats.flush();
    }
    const final = await settled();
    expect(ingestedByA).toBeGreaterThan(0);
    expect(final.records).toBe(final.reports * PER_REPORT);
    expect(final.records + final.missingReports * PER_REPORT).toBe(published * PER_REPORT);
    const metrics = await getText(b.base, '/metrics');
    expect(sumMetric(metrics, 'weft_telemetry_reports_missing')).toBe(final.missingReports);
    expect(sumMetric(metrics, 'istio_requests_total')).toBe(final.records);
    expect(published - before).toBe(60 * PROXIES.length);
  });

  it('loses nothing when a replica is stopped cleanly (SIGTERM drains and flushes)', async () => {
    const c = await startReplica(infra, 'replica-c');
    procs.push(c.proc);
    const missingBefore = (await ingestOf(b.base)).missingReports;
    for (let i = 0; i < 30; i++) publishRound();
    await infra.nats.flush();
    const ingestedByC = sumMetric(await getText(c.base, '/metrics'), 'weft_telemetry_records_ingested_total');
    await expect(c.proc.kill('SIGTERM')).resolves.toBe(0);
    for (let i = 0; i < 5; i++) publishRound();
    const final = await settled();
    expect(ingestedByC).toBeGreaterThan(0);
    expect(final.missingReports).toBe(missingBefore);
  });
});
