import type { ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer, type Server } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  tapActiveSubject,
  tapRecordsSubject,
  telemetryLogsSubject,
  telemetryReport,
  telemetryReportsSubject,
  telemetrySpansSubject,
  type AccessLogRecord,
  type TapBatch,
  type TelemetryReport,
  type ZipkinSpan,
} from '@weft/api';
import { Collector, freePort, startNatsServer, stopServer, waitFor, withDeadline } from '@weft/testing';
import { loadBootstrap } from '../../src/config';
import { TelemetryReporter } from '../../src/observability/telemetry/telemetry-reporter';
import { Proxy } from '../../src/proxy';
import { bootstrap, catchAllTo, cluster, get, httpListener, silent, startUpstream, type Upstream } from './harness';

/**
 * The proxy reporting to telemetry over a private nats-server (its own port, so it can be stopped
 * without touching other suites): one in-process proxy whose OUTBOUND listener calls its own INBOUND
 * listener in front of an app, so one request is seen from both sides (reporter source and
 * destination), with the peer-metadata header and a traceparent crossing the hop. The report interval
 * is long and the test calls `tick()`: every report is asked for, so counts are exact.
 */
const PREFIX = `wtp${process.pid}.`;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

/** What a test subscriber heard on the telemetry subjects. */
class Heard {
  readonly reports = new Collector<TelemetryReport>();
  readonly spans = new Collector<ZipkinSpan>();
  readonly logs = new Collector<AccessLogRecord>();

  static async on(port: number): Promise<{ nc: NatsConnection; heard: Heard }> {
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    const heard = new Heard();
    const json = (d: Uint8Array): unknown => JSON.parse(Buffer.from(d).toString('utf8'));
    nc.subscribe(telemetryReportsSubject(PREFIX), { callback: (_e, m) => heard.reports.push(telemetryReport.parse(json(m.data))) });
    nc.subscribe(telemetrySpansSubject(PREFIX), { callback: (_e, m) => (json(m.data) as ZipkinSpan[]).forEach(heard.spans.push) });
    nc.subscribe(telemetryLogsSubject(PREFIX), { callback: (_e, m) => (json(m.data) as AccessLogRecord[]).forEach(heard.logs.push) });
    await nc.flush();
    return { nc, heard };
  }

  /** Requests of every edge matching `pick`, over every report heard. */
  requests(pick: (e: TelemetryReport['edges'][number]) => boolean): number {
    return this.reports.items.flatMap((r) => r.edges).filter(pick).reduce((n, e) => n + e.requests, 0);
  }
}

describe('proxy telemetry reporting', () => {
  let natsPort: number;
  let nats: ChildProcess | null = null;
  let app: Upstream;
  let proxy: Proxy;
  let out = 0;
  let sub: { nc: NatsConnection; heard: Heard } | null = null;
  let echo: Server | null = null;

  beforeAll(async () => {
    natsPort = await freePort();
    nats = await startNatsServer(natsPort);
    app = await startUpstream('reviews', (req, res) => {
      res.statusCode = req.url === '/fail' ? 503 : 200;
      res.end('reviews');
    });
    echo = createServer((sock) => sock.pipe(sock));
    await new Promise<void>((r) => echo?.listen(0, '127.0.0.1', r));
    const echoPort = (echo.address() as { port: number }).port;
    const tcp = `
  - name: tcp
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: echo
          cluster: outbound|7|v1|echo.default.svc.cluster.local`;
    const inPort = await freePort();
    const yaml = bootstrap(
      httpListener('out', catchAllTo('outbound|9080||reviews.default.svc.cluster.local')) +
        httpListener('in', catchAllTo('inbound|9080||reviews.default.svc.cluster.local'), { direction: 'INBOUND' }).replace('port_value: 0', `port_value: ${inPort}`) +
        tcp,
      cluster('outbound|9080||reviews.default.svc.cluster.local', [inPort]) +
        cluster('inbound|9080||reviews.default.svc.cluster.local', [app.port]) +
        cluster('"outbound|7|v1|echo.default.svc.cluster.local"', [echoPort]),
    );
    const parse = (text: string) => loadBootstrap(text, 'test.yaml').snapshot;
    proxy = new Proxy({
      logger: silent,
      parseConfig: parse,
      accessLog: 'off',
      workload: 'reviews-v1',
      namespace: 'default',
      drainTimeoutMs: 2000,
      adminPort: 0,
      telemetry: {
        Reporter: TelemetryReporter,
        options: {
          natsUrl: `nats://127.0.0.1:${natsPort}`,
          subjectPrefix: PREFIX,
          intervalMs: 3_600_000,
          traceSamplingPercent: 0,
          logSamplingPercent: 0,
          identity: { id: 'reviews-v1-test', service: 'reviews', workload: 'reviews-v1', namespace: 'default' },
          maxSpans: 4,
          maxLogs: 10,
        },
      },
    });
    await proxy.apply(parse(yaml));
    out = proxy.ports.get('out') ?? 0;
    sub = await Heard.on(natsPort);
    await waitFor(() => proxy.telemetry?.connected, { what: 'the proxy to connect to NATS' });
  });

  afterAll(async () => {
    await proxy?.close();
    await sub?.nc.close();
    await app?.close();
    echo?.close();
    if (nats !== null && nats.exitCode === null) nats.kill('SIGKILL');
  });

  const heard = (): Heard => sub?.heard as Heard;
  const call = (path: string, headers: Record<string, string> = {}) => get(out, path, { host: 'reviews:9080', ...headers });

  /** Asks for a report and waits until it arrived. */
  async function report(): Promise<TelemetryReport> {
    const n = heard().reports.items.length;
    proxy.telemetry?.tick();
    const items = await heard().reports.count(n + 1, { what: 'a report' });
    return items[n];
  }

  it('reports every request once per side, with the caller named by the peer header, and numbers its reports', async () => {
    const first = await report();
    for (let i = 0; i < 25; i++) expect((await call('/ok')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await call('/fail')).status).toBe(503);
    const r = await report();
    expect(r.boot).toBe(first.boot);
    expect(r.seq).toBe((first.seq ?? 0) + 1);
    expect(r.proxy).toEqual({ id: 'reviews-v1-test', workload: 'reviews-v1', namespace: 'default' });
    const of = (reporter: string, code: number) => r.edges.filter((e) => e.reporter === reporter && e.responseCode === code).reduce((n, e) => n + e.requests, 0);
    expect([of('source', 200), of('source', 503), of('destination', 200), of('destination', 503)]).toEqual([25, 5, 25, 5]);
    const inbound = r.edges.find((e) => e.reporter === 'destination' && e.responseCode === 200);
    expect(inbound?.source).toEqual({ workload: 'reviews-v1', namespace: 'default', principal: null });
    expect(inbound?.destination).toEqual({ service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal: null });
    const outbound = r.edges.find((e) => e.reporter === 'source' && e.responseCode === 200);
    // The destination's proxy named its workload in the response's peer header.
    expect(outbound?.destination).toEqual({ service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal: null });
    expect(outbound?.connectionSecurityPolicy).toBe('none');
    // The peer header is read and removed by the inbound side: the app never sees it.
    expect(app.seen.every((s) => s.headers['x-weft-peer'] === undefined)).toBe(true);
    // log sampling 0: only the failed requests' access logs, one per side.
    const logs = await heard().logs.count(10, { what: '10 access-log records' });
    expect(logs.map((l) => l.status)).toEqual(Array(10).fill(503));
    expect((await report()).edges).toEqual([]);
  });

  it('sends a CLIENT and a SERVER span of a sampled trace, linked parent to child, and the app sees the server span as parent', async () => {
    const before = heard().spans.items.length;
    expect((await call('/ok', { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` })).status).toBe(200);
    expect((await call('/ok', { traceparent: `00-${TRACE.replace('0a', 'ff')}-${CALLER_SPAN}-00` })).status).toBe(200);
    await report();
    const spans = (await heard().spans.count(before + 2, { what: 'two spans' })).slice(before);
    const client = spans.find((s) => s.kind === 'CLIENT');
    const server = spans.find((s) => s.kind === 'SERVER');
    expect(client).toMatchObject({ traceId: TRACE, parentId: CALLER_SPAN, localEndpoint: { serviceName: 'reviews.default' } });
    expect(server).toMatchObject({ traceId: TRACE, parentId: client?.id, tags: { 'http.status_code': '200' } });
    expect(app.seen.at(-2)?.headers['traceparent']).toBe(`00-${TRACE}-${server?.id}-01`);
    // Not sampled by the caller: passed on untouched, no span.
    expect(app.seen.at(-1)?.headers['traceparent']).toBe(`00-${TRACE.replace('0a', 'ff')}-${CALLER_SPAN}-00`);
    await report();
    expect(heard().spans.items).toHaveLength(before + 2);
  });

  it('keeps serving while NATS is away, holds the counts, drops and counts what does not fit, and resumes', async () => {
    await report();
    await sub?.nc.close();
    if (nats !== null) await stopServer(nats, 'nats-server');
    await waitFor(() => proxy.telemetry?.connected === false, { what: 'the proxy to see NATS gone' });
    const traced = (i: number) => ({ traceparent: `00-${TRACE}-${i.toString(16).padStart(16, '1')}-01` });
    for (let i = 0; i < 10; i++) expect((await call('/ok', traced(i))).status).toBe(200);
    for (let i = 0; i < 8; i++) expect((await call('/fail')).status).toBe(503);
    proxy.telemetry?.tick(); // nothing is published (nor queued in the client) while NATS is away
    nats = await startNatsServer(natsPort);
    sub = await Heard.on(natsPort);
    await waitFor(() => proxy.telemetry?.connected, { timeoutMs: 15_000, what: 'the proxy to reconnect' });
    const r = await report();
    const sum = (reporter: string, code: number) => r.edges.filter((e) => e.reporter === reporter && e.responseCode === code).reduce((n, e) => n + e.requests, 0);
    expect([sum('source', 200), sum('source', 503), sum('destination', 200), sum('destination', 503)]).toEqual([10, 8, 10, 8]);
    // 20 spans (10 traces × 2 sides) for 4 places; 16 failure logs for 10 places.
    expect(r.dropped).toEqual({ records: 0, spans: 16, logs: 6 });
    await heard().spans.count(4, { what: 'the 4 spans held' });
    await heard().logs.count(10, { what: 'the 10 logs held' });
    const metrics = await proxy.metricsText();
    expect(metrics).toMatch(/weft_proxy_telemetry_dropped_total\{kind="spans"\} 16/);
    expect(metrics).toMatch(/weft_proxy_telemetry_dropped_total\{kind="logs"\} 6/);
  });

  it('reports a TCP connection through a tcp_proxy listener: opened, closed, bytes each way', async () => {
    await report();
    const sock = tcpConnect(proxy.ports.get('tcp') ?? 0, '127.0.0.1');
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      sock.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= 11) sock.end();
      });
      sock.on('close', () => resolve(got));
    });
    sock.write('hello proxy');
    expect(await withDeadline(echoed, 10_000, 'the echo')).toBe('hello proxy');
    // The proxy counts the connection closed once its downstream socket closes.
    const tcp = await waitFor(
      async () => {
        const r = await report();
        return r.tcp.find((t) => t.connectionsClosed > 0) ?? undefined;
      },
      { timeoutMs: 5000, intervalMs: 50, what: 'the closed TCP connection in a report' },
    );
    expect(tcp).toMatchObject({ reporter: 'source', destination: { service: 'echo', namespace: 'default' }, connectionsClosed: 1, sentBytes: 11, receivedBytes: 11 });
  });

  it('answers a live tap: matching requests arrive in batches on the tap subject', async () => {
    const tapId = `tap-${process.pid}-a`;
    const batches = new Collector<TapBatch>();
    const nc = sub?.nc as NatsConnection;
    nc.subscribe(tapRecordsSubject(tapId, PREFIX), { callback: (_e, m) => batches.push(JSON.parse(Buffer.from(m.data).toString('utf8')) as TapBatch) });
    await nc.flush();
    nc.publish(tapActiveSubject(PREFIX), JSON.stringify({ v: 1, tapId, service: 'reviews', namespace: 'default', expiresAt: Date.now() + 60_000 }));
    await nc.flush();
    await waitFor(async () => (await call('/ok')).status === 200 && batches.items.length > 0, { what: 'a tap batch' });
    const records = batches.items.flatMap((b) => b.records);
    expect(records.some((r) => r.reporter === 'source' && r.destination.service === 'reviews' && r.authority === 'reviews:9080')).toBe(true);
    expect(batches.items[0]?.proxy).toEqual({ id: 'reviews-v1-test', workload: 'reviews-v1', namespace: 'default' });
  });
});
