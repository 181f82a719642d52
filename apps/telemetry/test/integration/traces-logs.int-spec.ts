import pino from 'pino';
import { telemetryLogsSubject, telemetrySpansSubject, type AccessLogRecord, type ZipkinSpan } from '@weft/api';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { startTelemetry, type RunningTelemetry } from '../../src/app/telemetry.app';
import { readTelemetryConfig } from '../../src/config/telemetry.config';
import { getJson, replicaEnv } from './telemetry-harness';

/** Traces (Zipkin v2 JSON over HTTP and spans over NATS), access logs, and the API token. */
const TOKEN = 'telemetry-test-token-0123456789';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const now = Date.now();

function span(id: string, parentId: string | undefined, service: string, kind: 'SERVER' | 'CLIENT', offsetUs: number): ZipkinSpan {
  return { traceId: TRACE, id, parentId, name: `get /${service}`, kind, timestamp: now * 1000 + offsetUs, duration: 1000, localEndpoint: { serviceName: service } };
}

function logRecord(service: string, status: number, flags: string, traceId: string | null): AccessLogRecord {
  return {
    time: now,
    traceId,
    requestId: null,
    source: { workload: 'productpage-v1', namespace: 'default', principal: null },
    destination: { service, workload: `${service}-v1`, namespace: 'default', principal: null },
    method: 'GET',
    path: `/${service}`,
    status,
    flags,
    durationMs: 3.5,
  };
}

describe('telemetry traces and access logs (real NATS + Redis)', () => {
  let infra: TestInfra;
  let running: RunningTelemetry;
  let base: string;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-traces');
    const config = readTelemetryConfig(replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: 'traces-1', WEFT_TELEMETRY_TOKEN: TOKEN }));
    running = await startTelemetry(config, pino({ level: 'silent' }));
    base = `http://127.0.0.1:${running.httpPort}`;
  });

  afterAll(async () => {
    await running?.close();
    await infra?.close();
  });

  it('assembles a trace of 3 spans across 3 services POSTed separately in Zipkin v2 JSON', async () => {
    const spans = [
      { ...span('a000000000000001', undefined, 'productpage', 'SERVER', 0), remoteEndpoint: { serviceName: 'reviews' } },
      span('b000000000000002', 'a000000000000001', 'reviews', 'SERVER', 100),
      span('c000000000000003', 'b000000000000002', 'ratings', 'SERVER', 200),
    ];
    for (const s of spans) {
      const res = await fetch(`${base}/api/v2/spans`, { method: 'POST', headers: auth, body: JSON.stringify([s]) });
      expect(res.status).toBe(202);
    }
    const { status, body } = await getJson<ZipkinSpan[]>(base, `/api/v2/trace/${TRACE.toUpperCase()}`, TOKEN);
    expect(status).toBe(200);
    const byService = new Map(body.map((s) => [s.localEndpoint?.serviceName, s]));
    expect(byService.get('productpage')?.parentId).toBeUndefined();
    expect(byService.get('reviews')?.parentId).toBe(byService.get('productpage')?.id);
    expect(byService.get('ratings')?.parentId).toBe(byService.get('reviews')?.id);
    expect((await getJson<string[]>(base, '/api/v2/services', TOKEN)).body).toEqual(expect.arrayContaining(['productpage', 'ratings', 'reviews']));
    const traces = await getJson<ZipkinSpan[][]>(base, '/api/v2/traces?serviceName=ratings&limit=5', TOKEN);
    expect(traces.body.map((t) => t.length)).toEqual([3]);
    expect((await getJson(base, '/api/v2/trace/00000000000000ff', TOKEN)).status).toBe(404);
    expect((await getJson<string[]>(base, '/api/v2/spans?serviceName=reviews', TOKEN)).body).toEqual(['get /reviews']);
    expect((await getJson<string[]>(base, '/api/v2/remoteServices?serviceName=productpage', TOKEN)).body).toEqual(['reviews']);
    expect((await getJson(base, '/api/v2/spans', TOKEN)).status).toBe(400);
  });

  it('rejects a bad span batch with the field, storing nothing', async () => {
    const res = await fetch(`${base}/api/v2/spans`, { method: 'POST', headers: auth, body: JSON.stringify([{ traceId: 'zz', id: '1' }]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('WEFT_ERR_TELEMETRY_INVALID_PAYLOAD');
  });

  it('takes spans published on NATS by proxies', async () => {
    const traceId = '00000000000000000000000000000abc';
    infra.nats.publish(telemetrySpansSubject(infra.subjectPrefix), JSON.stringify([{ ...span('d000000000000004', undefined, 'details', 'SERVER', 0), traceId }]));
    await waitFor(async () => (await getJson(base, `/api/v2/trace/${traceId}`, TOKEN)).status === 200, { what: 'the NATS span' });
  });

  it('keeps recent access logs searchable by service, status, flag and trace id', async () => {
    const subject = telemetryLogsSubject(infra.subjectPrefix);
    infra.nats.publish(subject, JSON.stringify([logRecord('reviews', 200, '-', TRACE), logRecord('reviews', 503, 'UF,URX', null)]));
    infra.nats.publish(subject, JSON.stringify([logRecord('ratings', 504, 'UT', null)]));
    type Logs = { records: AccessLogRecord[] };
    await waitFor(async () => (await getJson<Logs>(base, '/api/v1/logs', TOKEN)).body.records.length === 3, { what: '3 log records' });
    const q = async (query: string) => (await getJson<Logs>(base, `/api/v1/logs?${query}`, TOKEN)).body.records.map((r) => `${r.destination.service}:${r.status}`);
    expect(await q('service=reviews')).toEqual(['reviews:503', 'reviews:200']);
    expect(await q('status=5xx')).toEqual(['ratings:504', 'reviews:503']);
    expect(await q('flag=URX')).toEqual(['reviews:503']);
    expect(await q(`traceId=${TRACE}`)).toEqual(['reviews:200']);
    expect(await q('limit=1')).toEqual(['ratings:504']);
  });

  it('requires the bearer token on /api/ but not on /metrics', async () => {
    expect((await getJson(base, '/api/v1/stat')).status).toBe(401);
    expect((await getJson(base, '/api/v1/stat', 'wrong-token-0123456789')).status).toBe(401);
    expect((await getJson(base, '/api/v1/stat', TOKEN)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});
