import {
  EdgeAccumulator,
  tapActiveSubject,
  tapRecordsSubject,
  telemetryReportsSubject,
  tapRequest,
  type RequestRecord,
  type SecurityPolicy,
  type TapBatch,
  type TapRecord,
} from '@weft/api';
import { createTestInfra, waitFor, type TestInfra, type TestProcess } from '@weft/testing';
import { runCli } from '../src/cli';
import { startTelemetryProcess } from './telemetry-process';
import type { CliIo } from '../src/io';

/**
 * stat, edges, top and tap against a real weft-telemetry process (the built bin) fed real reports and
 * tap batches over NATS. The proxies are stand-ins that publish what weft-proxy publishes.
 */
const TOKEN = 'weftctl-viz-token-0123456789';

interface Captured extends CliIo {
  readonly lines: string[];
  readonly errors: string[];
}

function capture(env: Record<string, string>): Captured {
  const lines: string[] = [];
  const errors: string[] = [];
  return { env, lines, errors, out: (t) => void lines.push(t), err: (t) => void errors.push(t), readStdin: async () => '' };
}

function call(caller: { workload: string; namespace: string }, service: string, code: number, durationMs: number, policy: SecurityPolicy): RequestRecord {
  return {
    reporter: 'destination',
    source: { workload: caller.workload, namespace: caller.namespace, principal: policy === 'mutual_tls' ? `spiffe://cluster.local/ns/${caller.namespace}/sa/${caller.workload}` : null },
    destination: { service, workload: `${service}-v1`, namespace: caller.namespace, principal: null },
    protocol: 'http',
    responseCode: code,
    grpcStatus: null,
    responseFlags: code === 503 ? 'UF' : '-',
    requestBytes: 0,
    responseBytes: 10,
    connectionSecurityPolicy: policy,
    durationMs,
  };
}

function tapRecord(path: string, status: number, durationMs: number): TapRecord {
  return {
    time: Date.now(),
    traceId: null,
    requestId: null,
    source: { workload: 'productpage-v1', namespace: 'default', principal: 'spiffe://cluster.local/ns/default/sa/productpage' },
    destination: { service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal: null },
    method: 'GET',
    path,
    status,
    flags: status === 503 ? 'UF' : '-',
    durationMs,
    reporter: 'destination',
    authority: 'reviews:9080',
  };
}

describe('weftctl viz verbs against a real telemetry replica (real NATS + Redis)', () => {
  let infra: TestInfra;
  let telemetry: TestProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    infra = await createTestInfra('weftctl-viz');
    const started = await startTelemetryProcess(infra, { WEFT_TELEMETRY_TOKEN: TOKEN });
    telemetry = started.proc;
    env = { WEFT_TELEMETRY_URL: started.url, WEFT_TELEMETRY_TOKEN: TOKEN };

    // Three proxies' reports: productpage → reviews over mTLS (8 ok, 2 failed),
    // reviews-v1 → ratings in plain text, and frontend → cart in namespace shop.
    const reviews = new EdgeAccumulator({ proxy: { id: 'reviews-v1-1', workload: 'reviews-v1', namespace: 'default' } });
    for (let i = 1; i <= 8; i++) reviews.add(call({ workload: 'productpage-v1', namespace: 'default' }, 'reviews', 200, i, 'mutual_tls'));
    for (let i = 0; i < 2; i++) reviews.add(call({ workload: 'productpage-v1', namespace: 'default' }, 'reviews', 503, 50, 'mutual_tls'));
    const ratings = new EdgeAccumulator({ proxy: { id: 'ratings-v1-1', workload: 'ratings-v1', namespace: 'default' } });
    for (let i = 0; i < 4; i++) ratings.add(call({ workload: 'reviews-v1', namespace: 'default' }, 'ratings', 200, 3, 'none'));
    const cart = new EdgeAccumulator({ proxy: { id: 'cart-v1-1', workload: 'cart-v1', namespace: 'shop' } });
    for (let i = 0; i < 3; i++) cart.add(call({ workload: 'frontend', namespace: 'shop' }, 'cart', 200, 7, 'mutual_tls'));
    for (const acc of [reviews, ratings, cart]) infra.nats.publish(telemetryReportsSubject(infra.subjectPrefix), JSON.stringify(acc.flush()));
    await waitFor(
      async () => {
        const io = capture(env);
        await runCli(['stat', '-A', '-o', 'json'], io);
        const rows = JSON.parse(io.lines.join('\n') || '[]') as { requests: number }[];
        if (rows.reduce((n, r) => n + r.requests, 0) !== 17) throw new Error(`stat -A: ${io.lines.join('')} ${io.errors.join('')}`);
        return true;
      },
      { what: 'telemetry to store the 17 requests', timeoutMs: 20_000 },
    );
  });

  afterAll(async () => {
    await telemetry?.kill('SIGTERM');
    await infra?.close();
  });

  it('stat svc prints the Linkerd table for the namespace', async () => {
    const io = capture(env);
    expect(await runCli(['stat', 'svc', '-n', 'default'], io)).toBe(0);
    const [header, ...rows] = io.lines.join('\n').split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN']);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['ratings', 'reviews']);
    const reviews = rows.find((r) => r.startsWith('reviews'))?.split(/\s+/);
    expect(reviews?.[1]).toBe('80.00%');
    expect(reviews?.[2]).toMatch(/^\d+\.\drps$/);
    expect(reviews?.[3]).toBe('5ms');
    expect(reviews?.[5]).toBe('50ms');
  });

  it('stat deploy -A shows the calling workloads of every namespace; a NAME narrows it; -w picks the window', async () => {
    const all = capture(env);
    expect(await runCli(['stat', 'deploy', '-A', '-w', '5m'], all)).toBe(0);
    const rows = all.lines.join('\n').split('\n');
    expect(rows[0]?.split(/\s+/).slice(0, 2)).toEqual(['NAMESPACE', 'NAME']);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2).join('/'))).toEqual(['default/productpage-v1', 'default/reviews-v1', 'shop/frontend']);
    const one = capture(env);
    expect(await runCli(['stat', 'deploy', 'frontend', '-n', 'shop', '-o', 'json'], one)).toBe(0);
    expect(JSON.parse(one.lines.join('\n'))).toEqual([expect.objectContaining({ name: 'frontend', namespace: 'shop', requests: 3, successRate: 1 })]);
    expect(await runCli(['stat', 'pods'], capture(env))).toBe(2);
    expect(await runCli(['stat', '-w', '2m'], capture(env))).toBe(2);
  });

  it('edges shows who calls whom and whether mTLS secures it', async () => {
    const io = capture(env);
    expect(await runCli(['edges'], io)).toBe(0);
    const [header, ...rows] = io.lines.join('\n').split('\n');
    expect(header?.split(/\s+/)).toEqual(['SRC', 'DST', 'SRC_NS', 'DST_NS', 'SUCCESS', 'RPS', 'LATENCY_P99', 'SECURED']);
    const cells = rows.map((r) => r.split(/\s+/));
    expect(cells.map((c) => [c[0], c[1], c[4], c[c.length - 1]])).toEqual([
      ['productpage-v1', 'reviews', '80.00%', '√'],
      ['reviews-v1', 'ratings', '100.00%', 'no'],
    ]);
    const json = capture(env);
    expect(await runCli(['edges', '-n', 'shop', '-o', 'json'], json)).toBe(0);
    expect(JSON.parse(json.lines.join('\n'))).toEqual([expect.objectContaining({ source: { namespace: 'shop', workload: 'frontend' }, mtlsRate: 1 })]);
  });

  it('names the telemetry URL it cannot reach (exit 3) and asks for the token on 401 (exit 1)', async () => {
    const down = capture({ WEFT_TELEMETRY_URL: 'http://127.0.0.1:9' });
    expect(await runCli(['stat'], down)).toBe(3);
    expect(down.errors.join('\n')).toContain('cannot reach telemetry at http://127.0.0.1:9');
    const flagged = capture({});
    expect(await runCli(['tap', 'reviews', '--telemetry-url', 'http://127.0.0.1:7'], flagged)).toBe(3);
    expect(flagged.errors.join('\n')).toContain('http://127.0.0.1:7');
    const noToken = capture({ WEFT_TELEMETRY_URL: env['WEFT_TELEMETRY_URL'] as string });
    expect(await runCli(['edges'], noToken)).toBe(1);
    expect(noToken.errors.join('\n')).toContain('WEFT_TELEMETRY_TOKEN');
  });

  describe('tap and top over tap batches published on NATS', () => {
    /** A stand-in proxy: on each heartbeat of a tap of reviews, publishes one batch for it. */
    let batches = 0;
    beforeAll(async () => {
      infra.nats.subscribe(tapActiveSubject(infra.subjectPrefix), {
        callback: (err, msg) => {
          if (err !== null) return;
          const req = tapRequest.parse(JSON.parse(msg.string()));
          if (req.service !== 'reviews') return;
          batches++;
          const batch: TapBatch = {
            v: 1,
            tapId: req.tapId,
            proxy: { id: 'reviews-v1-1', workload: 'reviews-v1', namespace: 'default' },
            records: [tapRecord('/reviews/1', 200, 4), tapRecord('/reviews/1', 200, 9), tapRecord('/reviews/2', 503, 30)],
            dropped: 2,
          };
          infra.nats.publish(tapRecordsSubject(req.tapId, infra.subjectPrefix), JSON.stringify(batch));
        },
      });
      await infra.nats.flush();
    });

    it('tap prints one line per request as it happens and the drops on stderr, then stops at --max', async () => {
      const io = capture(env);
      expect(await runCli(['tap', 'reviews', '-n', 'default', '--max', '3'], io)).toBe(0);
      expect(io.lines).toEqual([
        'req proxy=in  src=productpage-v1.default dst=reviews.default/reviews-v1 tls=true :method=GET :authority=reviews:9080 :path=/reviews/1 :status=200 latency=4ms',
        'req proxy=in  src=productpage-v1.default dst=reviews.default/reviews-v1 tls=true :method=GET :authority=reviews:9080 :path=/reviews/1 :status=200 latency=9ms',
        'req proxy=in  src=productpage-v1.default dst=reviews.default/reviews-v1 tls=true :method=GET :authority=reviews:9080 :path=/reviews/2 :status=503 latency=30ms flags=UF',
      ]);
      expect(io.errors.join('\n')).toContain('dropped 2 requests');
      const json = capture(env);
      expect(await runCli(['tap', 'reviews', '--max', '1', '-o', 'json'], json)).toBe(0);
      expect(JSON.parse(json.lines[0] ?? '')).toMatchObject({ path: '/reviews/1', status: 200, reporter: 'destination' });
    });

    it('top --once folds the tapped requests per path, busiest first', async () => {
      const before = batches;
      const io = capture(env);
      expect(await runCli(['top', 'reviews', '--once', '--duration', '3s', '-o', 'json'], io)).toBe(0);
      const out = JSON.parse(io.lines.join('\n')) as { dropped: number; paths: { path: string; count: number; ok: number; bestMs: number; worstMs: number }[] };
      const taps = batches - before;
      expect(taps).toBeGreaterThanOrEqual(1);
      expect(out.dropped).toBe(2 * taps);
      expect(out.paths.map((p) => [p.path, p.count, p.ok, p.bestMs, p.worstMs])).toEqual([
        ['/reviews/1', 2 * taps, 2 * taps, 4, 9],
        ['/reviews/2', taps, 0, 30, 30],
      ]);
      const table = capture(env);
      expect(await runCli(['top', 'reviews', '--once', '--duration', '1s'], table)).toBe(0);
      expect(table.lines.join('\n').split('\n')[0]?.split(/\s+/)).toEqual(['SOURCE', 'DESTINATION', 'METHOD', 'PATH', 'COUNT', 'BEST', 'WORST', 'LAST', 'SUCCESS']);
      // Without --once the screen is redrawn (cleared, then the table) each second and once at the end.
      const live = capture(env);
      expect(await runCli(['top', 'reviews', '--duration', '2s'], live)).toBe(0);
      expect(live.lines.length).toBeGreaterThanOrEqual(2);
      expect(live.lines.every((l) => l.startsWith('\x1b[H\x1b[2J'))).toBe(true);
      expect(live.lines[live.lines.length - 1]).toContain('/reviews/1');
    });
  });
});
