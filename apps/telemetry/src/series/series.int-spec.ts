import pino from 'pino';
import { telemetryReportsSubject } from '@weft/api';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { FakeProxy, getJson, PROXIES, replicaEnv } from '../../test/integration/telemetry-harness';
import { startTelemetry, type RunningTelemetry } from '../app/telemetry.app';
import { readTelemetryConfig } from '../config/telemetry.config';
import type { ServiceStat } from '../windows/window-stats';
import type { SeriesPoint } from './series.repository';

/**
 * The dashboard's HTTP surface on one replica over real NATS and Redis: the per-bucket series add up
 * to the window, the page is served without a token while its API needs one, and the pages relayed
 * from pilot and the CA answer 503 naming the app when none listens.
 */
const TOKEN = 'dashboard-test-token-0123456789';
const INTERVALS = 20;

describe('telemetry dashboard API (one replica, real NATS + Redis)', () => {
  let infra: TestInfra;
  let running: RunningTelemetry;
  let base: string;

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-series');
    const config = readTelemetryConfig(replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: 'series-1', WEFT_TELEMETRY_TOKEN: TOKEN }));
    running = await startTelemetry(config, pino({ level: 'silent' }));
    base = `http://127.0.0.1:${running.httpPort}`;
  });

  afterAll(async () => {
    await running?.close();
    await infra?.close();
  });

  it('GET /api/v1/stat/series: 10 s points of one service that sum to what /api/v1/stat counts', async () => {
    const subject = telemetryReportsSubject(infra.subjectPrefix);
    const proxies = PROXIES.map((p) => new FakeProxy(p));
    for (let i = 0; i < INTERVALS; i++) for (const p of proxies) infra.nats.publish(subject, JSON.stringify(p.interval(9, 1)));
    // reviews-v1 and reviews-v2 both call ratings: 2 × 20 × 10 requests
    const want = 2 * INTERVALS * 10;
    const stat = await waitFor(
      async () => {
        const { body } = await getJson<{ services: ServiceStat[] }>(base, '/api/v1/stat?window=5m', TOKEN);
        const ratings = body.services.find((s) => s.service === 'ratings');
        return ratings?.requests === want ? ratings : undefined;
      },
      { timeoutMs: 15_000, what: `${want} ratings requests in /api/v1/stat` },
    );
    const { status, body } = await getJson<{ bucketSeconds: number; points: SeriesPoint[] }>(base, '/api/v1/stat/series?service=ratings&window=5m', TOKEN);
    expect(status).toBe(200);
    expect(body.bucketSeconds).toBe(10);
    expect(body.points).toHaveLength(30);
    expect(body.points.reduce((n, p) => n + p.requests, 0)).toBe(stat.requests);
    const busy = body.points.filter((p) => p.requests > 0);
    expect(busy.length).toBeGreaterThan(0);
    for (const p of busy) {
      expect(p.successRate).toBeCloseTo(0.9, 5);
      expect(p.latencyMs?.p99).toBe(50); // the 503s take 50 ms
    }
    const idle = body.points.filter((p) => p.requests === 0);
    expect(idle.every((p) => p.successRate === null && p.latencyMs === null)).toBe(true);
    expect(body.points.map((p) => p.t)).toEqual([...body.points.map((p) => p.t)].sort((a, b) => a - b));
  });

  it('serves the page without a token; its API needs the token; a bad query names the field', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/dashboard/app.js');
    const script = await fetch(`${base}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/dashboard/..%2Fpackage.json`)).status).toBe(404);
    expect((await getJson(base, '/api/v1/stat/series?service=ratings')).status).toBe(401);
    const bad = await getJson<{ error: { code: string; issues: { path: string }[] } }>(base, '/api/v1/stat/series?window=2m', TOKEN);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i) => i.path).sort()).toEqual(['service', 'window']);
  });

  it('proxies and certificates answer 503 naming pilot / the CA when none listens on NATS', async () => {
    const proxies = await getJson<{ error: { code: string; message: string } }>(base, '/api/v1/mesh/proxies', TOKEN);
    expect(proxies.status).toBe(503);
    expect(proxies.body.error.code).toBe('WEFT_ERR_TELEMETRY_PILOT_UNAVAILABLE');
    expect(proxies.body.error.message).toContain('pilot does not answer');
    const certs = await getJson<{ error: { code: string } }>(base, '/api/v1/mesh/certificates', TOKEN);
    expect(certs.status).toBe(503);
    expect(certs.body.error.code).toBe('WEFT_ERR_TELEMETRY_CA_UNAVAILABLE');
  });
});
