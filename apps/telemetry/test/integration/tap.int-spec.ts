import pino from 'pino';
import { tapActiveSubject, tapRecordsSubject, tapRequest, type TapBatch, type TapRecord, type TapRequest } from '@weft/api';
import { Collector, createTestInfra, waitFor, withDeadline, type TestInfra } from '@weft/testing';
import { startTelemetry, type RunningTelemetry } from '../../src/app/telemetry.app';
import { readTelemetryConfig } from '../../src/config/telemetry.config';
import { getText, replicaEnv, sumMetric } from './telemetry-harness';

/** The live-tap hub over real NATS: heartbeats, records streamed as NDJSON, drops, client departure. */
const TOKEN = 'telemetry-tap-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function tapRecord(i: number, status = 200): TapRecord {
  return {
    time: Date.now(),
    traceId: null,
    requestId: `req-${i}`,
    source: { workload: 'productpage-v1', namespace: 'default', principal: null },
    destination: { service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal: null },
    method: 'GET',
    path: `/reviews/${i}`,
    status,
    flags: status === 503 ? 'UF' : '-',
    durationMs: 2,
    reporter: 'destination',
    authority: 'reviews:9080',
  };
}

function batch(tapId: string, records: TapRecord[], dropped = 0): TapBatch {
  return { v: 1, tapId, proxy: { id: 'reviews-v1-1', workload: 'reviews-v1', namespace: 'default' }, records, dropped };
}

/** An open tap stream: its id and every NDJSON line received, parsed. */
interface TapStream {
  readonly tapId: string;
  readonly lines: Collector<Record<string, unknown>>;
  /** Resolves when the server ends the stream. */
  readonly done: Promise<void>;
  readonly abort: AbortController;
}

async function openTap(base: string, query: string): Promise<TapStream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/tap?${query}`, { headers: auth, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/x-ndjson');
  const lines = new Collector<Record<string, unknown>>();
  const done = (async () => {
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        rest += decoder.decode(chunk, { stream: true });
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) if (p !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  return { tapId: res.headers.get('x-weft-tap-id') ?? '', lines, done, abort };
}

describe('telemetry live tap (real NATS)', () => {
  let infra: TestInfra;
  let running: RunningTelemetry;
  let base: string;
  const heartbeats = new Collector<TapRequest>();

  const publish = (tapId: string, b: TapBatch) => infra.nats.publish(tapRecordsSubject(tapId, infra.subjectPrefix), JSON.stringify(b));
  const sessions = async () => sumMetric(await getText(base, '/metrics'), 'weft_telemetry_tap_sessions');

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-tap');
    infra.nats.subscribe(tapActiveSubject(infra.subjectPrefix), {
      callback: (err, msg) => {
        if (err === null) heartbeats.push(tapRequest.parse(JSON.parse(msg.string())));
      },
    });
    await infra.nats.flush();
    const config = readTelemetryConfig(replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: 'tap-1', WEFT_TELEMETRY_TOKEN: TOKEN }));
    running = await startTelemetry(config, pino({ level: 'silent' }));
    base = `http://127.0.0.1:${running.httpPort}`;
  });

  afterAll(async () => {
    await running?.close();
    await infra?.close();
  });

  it('announces the tap on the tap-active subject and repeats it while the client stays', async () => {
    const tap = await openTap(base, 'service=reviews&namespace=default');
    const mine = await heartbeats.until((hs) => hs.filter((h) => h.tapId === tap.tapId).length >= 2, { what: 'two heartbeats', timeoutMs: 15_000 });
    const first = mine.find((h) => h.tapId === tap.tapId);
    expect(first).toMatchObject({ v: 1, service: 'reviews', namespace: 'default' });
    expect(first?.expiresAt).toBeGreaterThan(Date.now());
    tap.abort.abort();
    await tap.done;
  });

  it('streams every record of the batches as one NDJSON line each, and the proxies\' drops as {"dropped":n}', async () => {
    const tap = await openTap(base, 'service=reviews');
    await heartbeats.until((hs) => hs.some((h) => h.tapId === tap.tapId && h.namespace === null), { what: 'the heartbeat' });
    const records = [tapRecord(1), tapRecord(2, 503), tapRecord(3)];
    publish(tap.tapId, batch(tap.tapId, records.slice(0, 2)));
    publish(tap.tapId, batch(tap.tapId, records.slice(2), 7));
    publish('not-this-tap-000', batch('not-this-tap-000', [tapRecord(99)]));
    const lines = await tap.lines.count(4, { what: '3 records and a dropped line' });
    expect(lines.slice(0, 4)).toEqual([...records, { dropped: 7 }]);
    expect(lines.some((l) => l['path'] === '/reviews/99')).toBe(false);
    tap.abort.abort();
    await tap.done;
  });

  it('ends the stream by itself at the record limit', async () => {
    const tap = await openTap(base, 'service=reviews&limit=2');
    await heartbeats.until((hs) => hs.some((h) => h.tapId === tap.tapId), { what: 'the heartbeat' });
    publish(tap.tapId, batch(tap.tapId, [tapRecord(1), tapRecord(2), tapRecord(3)]));
    await withDeadline(tap.done, 10_000, 'the stream to end at the limit');
    expect(tap.lines.items.map((l) => l['path'])).toEqual(['/reviews/1', '/reviews/2']);
  });

  it('ends the stream by itself after ?seconds', async () => {
    const tap = await openTap(base, 'service=reviews&seconds=1');
    await withDeadline(tap.done, 15_000, 'the stream to end after 1 s');
    expect(tap.lines.items).toEqual([]);
  });

  it('stops heartbeats and unsubscribes when the client goes away', async () => {
    const tap = await openTap(base, 'service=ratings');
    await heartbeats.until((hs) => hs.some((h) => h.tapId === tap.tapId), { what: 'the heartbeat' });
    expect(await sessions()).toBe(1);
    tap.abort.abort();
    await tap.done;
    await waitFor(async () => (await sessions()) === 0, { what: 'the session to end on the server' });
    // Nobody listens on the records subject any more: NATS answers "no responders" at once.
    await expect(infra.nats.request(tapRecordsSubject(tap.tapId, infra.subjectPrefix), '{}', { timeout: 5_000 })).rejects.toThrow(/no responders|503/i);
    const seen = heartbeats.items.filter((h) => h.tapId === tap.tapId).length;
    // A second tap's second heartbeat comes a full heartbeat period later: the first tap would have beaten by then.
    const other = await openTap(base, 'service=details');
    await heartbeats.until((hs) => hs.filter((h) => h.tapId === other.tapId).length >= 2, { what: "the other tap's second heartbeat", timeoutMs: 15_000 });
    expect(heartbeats.items.filter((h) => h.tapId === tap.tapId).length).toBe(seen);
    other.abort.abort();
    await other.done;
  });

  it('needs the bearer token and a service', async () => {
    expect((await fetch(`${base}/api/v1/tap?service=reviews`)).status).toBe(401);
    const bad = await fetch(`${base}/api/v1/tap`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('WEFT_ERR_TELEMETRY_BAD_QUERY');
  });
});
