import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { Collector, waitFor, withDeadline } from '@weft/testing';
import { metricSum } from './prom-text';
import { bootstrap, cluster, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/**
 * Untrusted HTTP/1.1 over raw sockets: request smuggling and malformed requests are refused at the
 * listener (400/431) before anything reaches an upstream, and the proxy keeps serving.
 */

/** Sends raw bytes on a fresh connection; resolves with everything received until the proxy closes it. */
async function raw(port: number, ...parts: (string | Buffer)[]): Promise<string> {
  const s = netConnect(port, '127.0.0.1');
  s.on('error', () => undefined);
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  for (const p of parts) s.write(p);
  await withDeadline(once(s, 'close'), 5000, 'the proxy to answer and close the connection');
  return Buffer.concat(chunks).toString('latin1');
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);
}

const OK_REQUEST = 'GET /ok HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n\r\n';

describe('malformed and smuggling requests (raw sockets)', () => {
  let up: Upstream;
  let early: Server;
  let px: RunningProxy;
  let port: number;
  const upstreamConnections = new Collector<Socket>();

  beforeAll(async () => {
    up = await startUpstream('up');
    up.server.on('connection', upstreamConnections.push);
    // Answers at the first body chunk, before the request is complete.
    early = createServer((req, res) => {
      req.once('data', (c: Buffer) => {
        res.writeHead(200);
        res.write(`early:${c.toString()}`);
      });
      req.on('error', () => res.destroy());
    });
    await new Promise<void>((r) => early.listen(0, '127.0.0.1', r));
    const vhosts = `
            - name: early
              domains: ["early"]
              routes:
              - match: { prefix: / }
                route: { cluster: early }
            - name: svc
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: up }`;
    px = await startProxy(bootstrap(httpListener('out', vhosts), cluster('up', [up.port]) + cluster('early', [(early.address() as AddressInfo).port])));
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    await up.close();
    early.closeAllConnections();
    await new Promise<void>((r) => early.close(() => r()));
  });

  /** The upstream's counters now; after a refused request, `expectUntouched` checks they did not move. */
  function upstreamState(): { requests: number; connections: number } {
    return { requests: up.seen.length, connections: upstreamConnections.items.length };
  }

  async function expectUntouched(before: { requests: number; connections: number }): Promise<void> {
    // A well-formed request afterwards is served (the proxy is alive) and is the only thing upstream saw.
    const after = await raw(port, OK_REQUEST);
    expect(statusOf(after)).toBe(200);
    expect(up.seen.slice(before.requests).map((r) => r.url)).toEqual(['/ok']);
    expect(upstreamConnections.items.length - before.connections).toBeLessThanOrEqual(1);
  }

  const cases: [string, string, number][] = [
    [
      'Content-Length together with Transfer-Encoding: chunked',
      'POST /cl-te HTTP/1.1\r\nhost: svc\r\ncontent-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: svc\r\n\r\n',
      400,
    ],
    ['two differing Content-Length headers', 'POST /cl-cl HTTP/1.1\r\nhost: svc\r\ncontent-length: 3\r\ncontent-length: 40\r\n\r\nabcGET /smuggled HTTP/1.1\r\n\r\n', 400],
    ['a comma-separated Content-Length list', 'POST /cl-list HTTP/1.1\r\nhost: svc\r\ncontent-length: 3, 40\r\n\r\nabc', 400],
    ['Transfer-Encoding: chunked, identity (chunked not last)', 'POST /te-list HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: chunked, identity\r\n\r\n0\r\n\r\n', 400],
    ['Transfer-Encoding that is not chunked (xchunked)', 'POST /te-x HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: xchunked\r\n\r\n0\r\n\r\n', 400],
    ['a space before the colon ("Transfer-Encoding : chunked")', 'POST /te-space HTTP/1.1\r\nhost: svc\r\ntransfer-encoding : chunked\r\n\r\n0\r\n\r\n', 400],
    ['a Transfer-Encoding continued by obs-fold ("\\tchunked" line)', 'POST /te-fold HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: identity\r\n\tchunked\r\n\r\n0\r\n\r\n', 400],
    ['a header value with obs-fold', 'GET /fold HTTP/1.1\r\nhost: svc\r\nx-folded: first\r\n  second\r\n\r\n', 400],
    ['a NUL byte in a header value', 'GET /nul HTTP/1.1\r\nhost: svc\r\nx-bad: a\u0000b\r\n\r\n', 400],
    ['a bare CR in a header value', 'GET /cr HTTP/1.1\r\nhost: svc\r\nx-bad: a\rb\r\n\r\n', 400],
    ['an invalid method token', 'G(T /method HTTP/1.1\r\nhost: svc\r\n\r\n', 400],
    ['an absolute URL with a scheme other than http(s)', 'GET ftp://svc/file HTTP/1.1\r\nhost: svc\r\n\r\n', 400],
    ['a malformed absolute URL', 'GET http://[::1/x HTTP/1.1\r\nhost: svc\r\n\r\n', 400],
    ['a request target in authority form outside CONNECT', 'GET svc:80 HTTP/1.1\r\nhost: svc\r\n\r\n', 400],
    ['a CONNECT request', 'CONNECT svc:443 HTTP/1.1\r\nhost: svc:443\r\n\r\n', 400],
    ['oversized headers (431)', `GET /big-headers HTTP/1.1\r\nhost: svc\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, 431],
  ];

  it.each(cases)('refuses %s; the upstream sees nothing', async (_name, request, status) => {
    const before = upstreamState();
    const response = await raw(port, request);
    expect(statusOf(response)).toBe(status);
    expect(response).toMatch(/\r\nx-weft-error: WEFT_ERR_PROXY_BAD_REQUEST/i);
    await expectUntouched(before);
  });

  it('refuses a malformed chunk size sent in the same packet as the headers; the upstream sees no request', async () => {
    const before = upstreamState();
    const response = await raw(port, 'POST /bad-chunk HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    expect(statusOf(response)).toBe(400);
    await expectUntouched(before);
  });

  /** Resolves with the next request the upstream starts, and whether it was cut before it completed. */
  function nextUpstreamRequest(): { started: Promise<void>; closed: Promise<{ complete: boolean }> } {
    let started: () => void = () => undefined;
    const startedP = new Promise<void>((r) => (started = r));
    const closed = new Promise<{ complete: boolean }>((resolve) =>
      up.server.once('request', (req) => {
        started();
        req.once('close', () => resolve({ complete: req.complete }));
      }),
    );
    return { started: startedP, closed };
  }

  it('cuts a request whose chunked body turns malformed after it was forwarded: no complete request upstream', async () => {
    const before = upstreamState();
    const upstream = nextUpstreamRequest();
    const s = netConnect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write('POST /late-bad-chunk HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await withDeadline(upstream.started, 3000, 'the request to reach the upstream');
    s.resume();
    s.write('zz\r\n');
    await withDeadline(once(s, 'close'), 3000, 'the proxy to close the connection');
    expect(await withDeadline(upstream.closed, 3000, 'the upstream request to be cut')).toEqual({ complete: false });
    expect(up.seen.slice(before.requests)).toEqual([]);
    expect(statusOf(await raw(port, OK_REQUEST))).toBe(200);
  });

  it('cuts, without a 400 inside it, a response already under way when the request body turns malformed', async () => {
    const s = netConnect(port, '127.0.0.1');
    s.on('error', () => undefined);
    let received = '';
    const got = new Collector<string>();
    s.on('data', (c: Buffer) => {
      received += c.toString('latin1');
      got.push(received);
    });
    s.write('POST /early HTTP/1.1\r\nhost: early\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await got.until((r) => r.some((x) => x.includes('early:hello')), { what: 'the start of the response', timeoutMs: 3000 });
    s.write('zz\r\n');
    await withDeadline(once(s, 'close'), 3000, 'the proxy to close the connection');
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).not.toContain('400 Bad Request');
    expect(statusOf(await raw(port, OK_REQUEST))).toBe(200);
  });

  it('survives a client that aborts mid-body: the upstream request is cut, nothing stays active', async () => {
    const before = upstreamState();
    const dcBefore = metricSum(await px.proxy.metricsText(), 'istio_requests_total', 'response_flags="DC"');
    const upstream = nextUpstreamRequest();
    const s = netConnect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write(`POST /abort HTTP/1.1\r\nhost: svc\r\ncontent-length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    await withDeadline(upstream.started, 3000, 'the upload to reach the upstream');
    s.destroy();
    expect(await withDeadline(upstream.closed, 3000, 'the upstream request to be cut')).toEqual({ complete: false });
    expect(up.seen.slice(before.requests)).toEqual([]);
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${px.adminPort}/clusters`);
        const clusters = (await res.json()) as { name: string; hosts: { activeRequests: number }[] }[];
        return clusters.find((c) => c.name === 'up')?.hosts.every((h) => h.activeRequests === 0);
      },
      { what: 'no active upstream request left', timeoutMs: 3000 },
    );
    await waitFor(async () => metricSum(await px.proxy.metricsText(), 'istio_requests_total', 'response_flags="DC"') === dcBefore + 1, {
      what: 'the request counted with response flag DC',
      timeoutMs: 3000,
    });
    expect(statusOf(await raw(port, OK_REQUEST))).toBe(200);
  });

  it('keeps serving keep-alive traffic after all of the above', async () => {
    const s = netConnect(port, '127.0.0.1');
    const received = new Collector<string>();
    let all = '';
    s.on('data', (c: Buffer) => {
      all += c.toString('latin1');
      received.push(all);
    });
    s.write('GET /a HTTP/1.1\r\nhost: svc\r\n\r\n');
    await received.until((r) => r.some((x) => x.endsWith('up')), { what: 'first response' });
    s.write('GET /b HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n\r\n');
    await withDeadline(once(s, 'close'), 5000, 'second response and close');
    expect(all.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });
});
