import pino from 'pino';
import { telemetryReportsSubject, type TelemetryReport } from '@weft/api';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { startTelemetry, type RunningTelemetry } from '../../src/app/telemetry.app';
import { readTelemetryConfig } from '../../src/config/telemetry.config';
import type { ServiceStat } from '../../src/windows/window-stats';
import { FakeProxy, getJson, getText, PROXIES, promtoolCheck, replicaEnv, sumMetric } from './telemetry-harness';

/**
 * One replica over real NATS and Redis: a bounded set of reports (3 proxies × 50 intervals) → the
 * windows API and /metrics count exactly what was published; malformed reports are counted, not stored.
 */
const INTERVALS = 50;
const OK = 8;
const FAILED = 2;

describe('telemetry ingest (one replica, real NATS + Redis)', () => {
  let infra: TestInfra;
  let running: RunningTelemetry;
  let base: string;

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-ingest');
    const config = readTelemetryConfig(replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: 'ingest-1' }));
    running = await startTelemetry(config, pino({ level: 'silent' }));
    base = `http://127.0.0.1:${running.httpPort}`;
  });

  afterAll(async () => {
    await running?.close();
    await infra?.close();
  });

  it('counts exactly what 3 proxies × 50 intervals published, in /api/v1/stat and /metrics', async () => {
    const subject = telemetryReportsSubject(infra.subjectPrefix);
    const proxies = PROXIES.map((p) => new FakeProxy(p));
    const published: TelemetryReport[] = [];
    for (let i = 0; i < INTERVALS; i++) {
      for (const p of proxies) {
        const report = p.interval(OK, FAILED);
        published.push(report);
        infra.nats.publish(subject, JSON.stringify(report));
      }
    }
    infra.nats.publish(subject, 'not json');
    infra.nats.publish(subject, JSON.stringify({ ...published[0], v: 2 }));
    const badHistogram = { ...published[0], edges: [{ ...published[0]?.edges[0], requests: 999 }] };
    infra.nats.publish(subject, JSON.stringify(badHistogram));

    const perProxy = INTERVALS * (OK + FAILED);
    const total = perProxy * PROXIES.length;
    const stat = await waitFor(
      async () => {
        const { body } = await getJson<{ services: ServiceStat[] }>(base, '/api/v1/stat?window=5m');
        const sum = body.services.reduce((n, s) => n + s.requests, 0);
        return sum === total ? body : undefined;
      },
      { timeoutMs: 15_000, what: `${total} requests in /api/v1/stat` },
    );
    const reviews = stat.services.find((s) => s.service === 'reviews');
    const ratings = stat.services.find((s) => s.service === 'ratings');
    expect(reviews).toMatchObject({ namespace: 'default', requests: perProxy, requestBytes: perProxy * 10, responseBytes: perProxy * 100 });
    expect(ratings?.requests).toBe(2 * perProxy);
    expect(reviews?.successRate).toBeCloseTo(OK / (OK + FAILED), 4);
    expect(reviews?.latencyMs?.p50).toBeGreaterThanOrEqual(1);
    expect(reviews?.latencyMs?.p99).toBe(50);
    expect(reviews?.tcp).toEqual({ connectionsOpened: INTERVALS, connectionsClosed: INTERVALS, sentBytes: 7 * INTERVALS, receivedBytes: 9 * INTERVALS });

    const metrics = await getText(base, '/metrics');
    expect(sumMetric(metrics, 'istio_requests_total')).toBe(total);
    expect(sumMetric(metrics, 'istio_requests_total', { destination_service_name: 'reviews', response_code: '503', response_flags: 'UF' })).toBe(INTERVALS * FAILED);
    expect(sumMetric(metrics, 'istio_request_duration_milliseconds_count')).toBe(total);
    expect(sumMetric(metrics, 'istio_request_duration_milliseconds_bucket', { le: '25' })).toBe(INTERVALS * OK * PROXIES.length);
    expect(sumMetric(metrics, 'istio_request_duration_milliseconds_bucket', { le: '50' })).toBe(total);
    expect(sumMetric(metrics, 'istio_request_bytes_sum')).toBe(total * 10);
    expect(sumMetric(metrics, 'istio_tcp_connections_opened_total')).toBe(INTERVALS * PROXIES.length);
    expect(sumMetric(metrics, 'weft_telemetry_mesh_records_total')).toBe(total);
    expect(sumMetric(metrics, 'weft_telemetry_reports_missing')).toBe(0);
    expect(sumMetric(metrics, 'weft_telemetry_messages_invalid_total', { reason: 'json' })).toBe(1);
    expect(sumMetric(metrics, 'weft_telemetry_messages_invalid_total', { reason: 'schema' })).toBe(1);
    expect(sumMetric(metrics, 'weft_telemetry_messages_invalid_total', { reason: 'histogram' })).toBe(1);
  });

  it('serves /metrics that promtool check metrics accepts (but for the unit of Istio\'s own duration name)', async () => {
    const text = await getText(base, '/metrics');
    // Istio's standard name says "milliseconds"; promtool's lint wants base units. Dashboards need the
    // Istio name, so that one finding is expected — and it must be the only one.
    const full = await promtoolCheck(text);
    expect(full.output.trim()).toBe('istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds"');
    const withoutDuration = text
      .split('\n')
      .filter((l) => !l.includes('istio_request_duration_milliseconds'))
      .join('\n');
    expect(await promtoolCheck(withoutDuration)).toEqual({ code: 0, output: '' });
  });

  it('serves edges and topology with golden signals', async () => {
    const { body: edges } = await getJson<{ edges: { source: { workload: string }; destination: { service: string }; requests: number; mtlsRate: number }[] }>(base, '/api/v1/edges?window=1h');
    expect(edges.edges.map((e) => `${e.source.workload}>${e.destination.service}`)).toEqual(['productpage-v1>reviews', 'reviews-v1>ratings', 'reviews-v2>ratings']);
    expect(edges.edges.every((e) => e.requests === INTERVALS * (OK + FAILED) && e.mtlsRate === 1)).toBe(true);
    const { body: topo } = await getJson<{ nodes: { id: string }[]; edges: { source: string; target: string }[] }>(base, '/api/v1/topology?window=1m');
    expect(topo.nodes.map((n) => n.id)).toEqual([
      'service:default/ratings',
      'service:default/reviews',
      'workload:default/productpage-v1',
      'workload:default/reviews-v1',
      'workload:default/reviews-v2',
    ]);
    expect(topo.edges).toContainEqual(expect.objectContaining({ source: 'workload:default/productpage-v1', target: 'service:default/reviews' }));
    expect((await getJson(base, '/api/v1/stat?window=2m')).status).toBe(400);
    const deps = await getJson<{ parent: string; child: string; callCount: number; errorCount: number }[]>(base, '/api/v2/dependencies?lookback=60000');
    expect(deps.body).toContainEqual({ parent: 'productpage-v1', child: 'reviews', callCount: INTERVALS * (OK + FAILED), errorCount: INTERVALS * FAILED });
  });
});
