import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { request } from 'undici';
import { waitFor, withDeadline } from '@weft/testing';
import { metricSum } from './prom-text';
import { bootstrap, cluster, httpListener, startProxy, catchAllTo, type RunningProxy } from './harness';

/**
 * WebSocket upgrades are requests like any other (real sockets): they go through the HTTP filters
 * (RBAC, fault), carry the route's header mutations, rewrites and request id upstream, and are
 * counted in the request metrics and written to the access log once, when the tunnel closes.
 */

jest.setTimeout(20_000);

const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const prefix = (p: string) => ({ url_path: { path: { prefix: p } } });

/** DENY /denied; ALLOW only /ws, /old, /refuse, /teapot, /slow (anything else is denied by the ALLOW). */
const FILTERS = `
          - name: rbac-deny
            typed_config: ${JSON.stringify({ '@type': RBAC, rules: { action: 'DENY', policies: { 'ns[foo]-policy[deny]-rule[0]': { permissions: [prefix('/denied')], principals: [{ any: true }] } } } })}
          - name: rbac-allow
            typed_config: ${JSON.stringify({
              '@type': RBAC,
              rules: {
                action: 'ALLOW',
                policies: { 'ns[foo]-policy[allow]-rule[0]': { permissions: ['/ws', '/old', '/refuse', '/teapot', '/slow', '/denied'].map(prefix), principals: [{ any: true }] } },
              },
            })}
          - name: envoy.filters.http.fault
            typed_config:
              "@type": ${FAULT}
              abort: { http_status: 503, percentage: { numerator: 0 } }`;

const VHOSTS = `
            - name: ws
              domains: ["*"]
              request_headers_to_add: [{ header: { key: x-vhost-added, value: vhost } }]
              routes:
              - match: { prefix: /old/ }
                route: { cluster: ws, prefix_rewrite: /new/ }
                request_headers_to_add: [{ header: { key: x-route-added, value: route } }]
              - match: { prefix: /teapot }
                route: { cluster: ws }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT}
                    abort: { http_status: 418, percentage: { numerator: 100 } }
              - match: { prefix: /slow }
                route: { cluster: ws }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT}
                    delay: { fixed_delay: 0.05s, percentage: { numerator: 100 } }
              - match: { prefix: / }
                route: { cluster: ws }`;

const HCM = '          upgrade_configs: [{ upgrade_type: websocket }]';

/**
 * The upstream app: on an upgrade it records the request, answers 101 and, once it has read `ping`,
 * sends `pong!pong!` (4 bytes in, 10 out); `/refuse` gets 426 and a connection it keeps open.
 */
interface App {
  readonly server: Server;
  readonly port: number;
  readonly seen: { url: string; headers: IncomingMessage['headers'] }[];
}

async function startApp(): Promise<App> {
  const seen: App['seen'] = [];
  const server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/refuse') return void socket.write('HTTP/1.1 426 Upgrade Required\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\nnope');
    // /ws/peer: an app that tries to pass itself off as a mesh peer (x-weft-peer is the proxies' own).
    const peer = req.url === '/ws/peer' ? 'x-weft-peer: spoofed.other-ns\r\n' : '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n${peer}\r\n`);
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got === 'ping') socket.write('pong!pong!');
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** A raw client connection: everything it reads, and a wait for text or for the close. */
class RawClient {
  text = '';
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.on('data', (d: Buffer) => {
      this.text += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => this.socket.destroy());
    this.closed = once(this.socket, 'close').then(() => undefined);
  }

  upgrade(path: string, extra = ''): this {
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: app\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
    return this;
  }

  async until(text: string): Promise<string> {
    const seen = new Promise<void>((resolve) => {
      const check = (): void => (this.text.includes(text) ? resolve() : void this.waiters.push(check));
      check();
    });
    await withDeadline(seen, 5000, JSON.stringify(text));
    return this.text;
  }

  async untilClosed(): Promise<string> {
    await withDeadline(this.closed, 5000, 'the proxy to close the connection');
    return this.text;
  }
}

describe('WebSocket upgrades through the filters, metrics and access log', () => {
  let app: App;
  let px: RunningProxy;
  let port: number;
  let dir: string;
  let logFile: string;

  const metrics = async (): Promise<string> => (await request(`http://127.0.0.1:${px.adminPort}/stats/prometheus`)).body.text();
  const logLines = (path: string): Record<string, unknown>[] =>
    (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['path'] === path);

  beforeAll(async () => {
    app = await startApp();
    dir = mkdtempSync(join(tmpdir(), 'weft-upgrade-'));
    logFile = join(dir, 'access.log');
    px = await startProxy(bootstrap(httpListener('out', VHOSTS, { filters: FILTERS, hcm: HCM }), cluster('ws', [app.port])), { accessLog: logFile });
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    app.server.closeAllConnections();
    app.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an upgrade through an ALLOW policy tunnels, and is counted (101) and logged once with the bytes each way when it closes', async () => {
    const c = new RawClient(port).upgrade('/ws/chat');
    expect(await c.until('\r\n\r\n')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    c.socket.write('ping');
    await c.until('pong!pong!');
    c.socket.end();
    await c.untilClosed();
    const lines = await waitFor(() => (logLines('/ws/chat').length > 0 ? logLines('/ws/chat') : null), { what: 'the access-log line of /ws/chat' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', status: 101, flags: '-', upstreamCluster: 'ws', bytesReceived: 4, bytesSent: 10 });
    expect(String(lines[0]['requestId'])).not.toBe('');
    const text = await metrics();
    expect(metricSum(text, 'istio_requests_total', 'response_code="101"')).toBe(1);
    expect(metricSum(text, 'istio_request_duration_milliseconds_count', 'response_code="101"')).toBe(1);
  });

  it('the 101 of an app never carries the peer-metadata header to the client', async () => {
    const c = new RawClient(port).upgrade('/ws/peer');
    const head = await c.until('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toMatch(/\r\nupgrade: websocket\r\n/i);
    expect(head).not.toMatch(/x-weft-peer/i);
    c.socket.destroy();
    await c.untilClosed();
  });

  it('the upgrade request upstream carries the route and virtual host header mutations, the prefix rewrite and an x-request-id', async () => {
    const before = app.seen.length;
    const c = new RawClient(port).upgrade('/old/chat');
    await c.until('101 Switching Protocols');
    c.socket.destroy();
    const seen = app.seen[before];
    expect(seen.url).toBe('/new/chat');
    expect(seen.headers).toMatchObject({ 'x-route-added': 'route', 'x-vhost-added': 'vhost', upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it.each([
    ['a DENY policy', '/denied/chat'],
    ['no ALLOW policy', '/elsewhere'],
  ])('%s refuses the upgrade with 403 and closes; the upstream never sees it', async (_name, path) => {
    const before = app.seen.length;
    const got = await new RawClient(port).upgrade(path).untilClosed();
    expect(got).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(got).toMatch(/\r\nx-weft-error: WEFT_ERR_PROXY_RBAC_DENIED: /);
    expect(got.endsWith('\r\n\r\nRBAC: access denied')).toBe(true);
    expect(app.seen.length).toBe(before);
    const lines = await waitFor(() => (logLines(path).length > 0 ? logLines(path) : null), { what: `the access-log line of ${path}` });
    expect(lines).toEqual([expect.objectContaining({ status: 403, flags: 'RBAC' })]);
  });

  it('a fault abort answers the upgrade with its status; a fault delay holds it, then it tunnels', async () => {
    const before = app.seen.length;
    const aborted = await new RawClient(port).upgrade('/teapot').untilClosed();
    expect(aborted).toMatch(/^HTTP\/1\.1 418 /);
    expect(aborted).toContain('x-weft-error: WEFT_ERR_PROXY_FAULT_ABORT');
    expect(app.seen.length).toBe(before);
    const delayed = new RawClient(port).upgrade('/slow');
    await delayed.until('101 Switching Protocols');
    delayed.socket.write('ping');
    await delayed.until('pong!pong!');
    delayed.socket.destroy();
    expect(app.seen.map((s) => s.url).slice(before)).toEqual(['/slow']);
  });

  it('an upstream that does not switch: its answer is relayed as it is, the connection closed, and counted with its status', async () => {
    const got = await new RawClient(port).upgrade('/refuse').untilClosed();
    expect(got).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(got.endsWith('\r\n\r\nnope')).toBe(true);
    await waitFor(async () => metricSum(await metrics(), 'istio_requests_total', 'response_code="426"') === 1, { what: 'the 426 in istio_requests_total' });
    const lines = await waitFor(() => (logLines('/refuse').length > 0 ? logLines('/refuse') : null), { what: 'the access-log line of /refuse' });
    expect(lines).toEqual([expect.objectContaining({ status: 426, bytesSent: 4 })]);
  });

  it('a tunnel silent for the stream idle timeout is closed and then reported (101)', async () => {
    const vhosts = catchAllTo('ws', 'ws');
    const idle = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: `${HCM}\n          stream_idle_timeout: 0.2s` }), cluster('ws', [app.port])));
    try {
      const c = new RawClient(idle.port('out')).upgrade('/idle');
      await c.until('101 Switching Protocols');
      c.socket.write('ping');
      await c.until('pong!pong!');
      await c.untilClosed();
      const text = await waitFor(async () => {
        const t = await (await request(`http://127.0.0.1:${idle.adminPort}/stats/prometheus`)).body.text();
        return metricSum(t, 'istio_requests_total', 'response_code="101"') === 1 ? t : null;
      }, { what: 'the closed tunnel in istio_requests_total' });
      expect(metricSum(text, 'istio_response_bytes_sum', 'response_code="101"')).toBe(10);
    } finally {
      await idle.close();
    }
  });

  it('an open tunnel holds one of the cluster\'s max_requests: the next upgrade overflows (503 UO) until it closes', async () => {
    const vhosts = catchAllTo('ws', 'ws');
    const breakers = '    circuit_breakers: { thresholds: [{ max_requests: 1 }] }';
    const small = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: HCM }), cluster('ws', [app.port], breakers)));
    try {
      const first = new RawClient(small.port('out')).upgrade('/first');
      await first.until('101 Switching Protocols');
      const second = await new RawClient(small.port('out')).upgrade('/second').untilClosed();
      expect(second).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(second).toContain('x-weft-error: WEFT_ERR_PROXY_OVERFLOW');
      first.socket.destroy();
      await waitFor(async () => (await new RawClient(small.port('out')).upgrade('/third').until('\r\n\r\n')).startsWith('HTTP/1.1 101 '), {
        what: 'an upgrade once the first tunnel closed',
      });
    } finally {
      await small.close();
    }
  });

  it('upgrades feed outlier detection and the upstream stats: a host refusing connections is ejected, then every upgrade switches', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const vhosts = catchAllTo('ws', 'ws');
    const od = '    outlier_detection: { consecutive_5xx: 2, interval: 10s, base_ejection_time: 60s, max_ejection_percent: 50 }';
    const px2 = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: HCM }), cluster('ws', [app.port, deadPort], od)));
    try {
      const statuses: string[] = [];
      for (let i = 0; i < 8; i++) {
        const c = new RawClient(px2.port('out')).upgrade('/ws/od');
        const head = await c.until('\r\n\r\n');
        statuses.push(head.slice(9, 12));
        c.socket.destroy();
        await c.untilClosed();
      }
      // Round robin: the dead host fails twice (503, connect failure), is ejected, and gets nothing after.
      expect(statuses.filter((x) => x === '503')).toHaveLength(2);
      expect(statuses.slice(4)).toEqual(['101', '101', '101', '101']);
      const text = await waitFor(
        async () => {
          const t = await (await request(`http://127.0.0.1:${px2.adminPort}/stats/prometheus`)).body.text();
          return metricSum(t, 'weft_proxy_upstream_rq_total', 'cluster_name="ws"', 'response_code_class="1xx"') === 6 ? t : null;
        },
        { what: 'six 1xx upstream requests' },
      );
      expect(metricSum(text, 'weft_proxy_upstream_rq_total', 'cluster_name="ws"', 'response_code_class="reset"')).toBe(2);
      expect(metricSum(text, 'istio_requests_total', 'response_code="503"', 'response_flags="UF"')).toBe(2);
    } finally {
      await px2.close();
    }
  });

  it('inbound, a caller that sent peer metadata gets this proxy\'s on the 101, and is the source workload of the metrics', async () => {
    const vhosts = catchAllTo('ws', 'ws');
    const inbound = await startProxy(bootstrap(httpListener('in', vhosts, { hcm: HCM, direction: 'INBOUND' }), cluster('ws', [app.port])), { workload: 'chat-v1', service: 'chat' });
    try {
      const c = new RawClient(inbound.port('in')).upgrade('/ws/in', 'x-weft-peer: productpage-v1.default\r\n');
      const head = await c.until('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      expect(head).toMatch(/\r\nx-weft-peer: chat-v1\.default\r\n/);
      expect(app.seen.at(-1)?.headers['x-weft-peer']).toBeUndefined();
      c.socket.destroy();
      await c.untilClosed();
      await waitFor(
        async () => {
          const t = await (await request(`http://127.0.0.1:${inbound.adminPort}/stats/prometheus`)).body.text();
          return metricSum(t, 'istio_requests_total', 'response_code="101"', 'source_workload="productpage-v1"', 'reporter="destination"') === 1;
        },
        { what: 'the inbound 101 with the caller as source_workload' },
      );
    } finally {
      await inbound.close();
    }
  });

  it('no healthy host: 503 UH written to the socket, then closed', async () => {
    const vhosts = catchAllTo('ws', 'ws');
    const down = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: HCM }), cluster('ws', [{ port: app.port, health: 'UNHEALTHY' }])));
    try {
      const got = await new RawClient(down.port('out')).upgrade('/ws').untilClosed();
      expect(got).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(got).toContain('x-weft-error: WEFT_ERR_PROXY_NO_HEALTHY_UPSTREAM');
      const text = await (await request(`http://127.0.0.1:${down.adminPort}/stats/prometheus`)).body.text();
      expect(metricSum(text, 'istio_requests_total', 'response_code="503"', 'response_flags="UH"')).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('WebSocket tunnels and drain', () => {
  let app: App;
  let px: RunningProxy;

  beforeAll(async () => {
    app = await startApp();
    const vhosts = catchAllTo('ws', 'ws');
    px = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: HCM }), cluster('ws', [app.port])));
  });
  afterAll(async () => {
    await px?.close();
    app?.server.closeAllConnections();
    app?.server.close();
  });

  it('a drain leaves an open tunnel working until it closes (or the drain time ends), then completes', async () => {
    const c = new RawClient(px.port('out')).upgrade('/ws/drain');
    await c.until('\r\n\r\n');
    let drained = false;
    const drain = px.proxy.drain().then(() => (drained = true));
    // Still relayed while the proxy drains.
    c.socket.write('ping');
    await c.until('pong!pong!');
    expect(drained).toBe(false);
    c.socket.end();
    await c.untilClosed();
    await withDeadline(drain, 5000, 'the drain to complete once the tunnel closed');
    expect(drained).toBe(true);
  });
});
