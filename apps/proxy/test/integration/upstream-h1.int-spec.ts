import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Collector, waitFor, withDeadline } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, catchAllTo, type RunningProxy } from './harness';

/**
 * The HTTP/1.1 upstream pool (raw sockets + llhttp) against a hand-written upstream: keep-alive
 * reuse, an upstream that closes its idle connections, `connection: close`, close-delimited and
 * chunked bodies with trailers, HEAD, 1xx, and a client that aborts mid-body.
 */

type Reply = (socket: Socket, head: string, body: Buffer) => void;

/** A raw HTTP/1.1 upstream: parses just enough (head + content-length or chunked body) and answers with `reply`. */
async function rawUpstream(reply: Reply): Promise<{ server: Server; port: number; connections: Collector<Socket>; heads: string[] }> {
  const connections = new Collector<Socket>();
  const heads: string[] = [];
  const server = createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const rest = buf.subarray(end + 4);
        const body = bodyOf(head, rest);
        if (body === null) return;
        buf = rest.subarray(body.consumed);
        heads.push(head);
        reply(socket, head, body.bytes);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, connections, heads };
}

function bodyOf(head: string, rest: Buffer): { bytes: Buffer; consumed: number } | null {
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl !== null) {
    const n = Number(cl[1]);
    return rest.length < n ? null : { bytes: rest.subarray(0, n), consumed: n };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { bytes: Buffer.alloc(0), consumed: 0 };
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = rest.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(rest.subarray(at, eol).toString(), 16);
    if (size === 0) return rest.length < eol + 4 ? null : { bytes: Buffer.concat(parts), consumed: eol + 4 };
    if (rest.length < eol + 2 + size + 2) return null;
    parts.push(rest.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

const pathOf = (head: string): string => head.split(' ')[1];

describe('HTTP/1.1 upstream pool', () => {
  let up: Awaited<ReturnType<typeof rawUpstream>>;
  let px: RunningProxy;
  let port: number;

  beforeAll(async () => {
    up = await rawUpstream((socket, head, body) => {
      const path = pathOf(head);
      if (path === '/close-after') return void socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 5\r\n\r\nclose');
      if (path === '/eof-body') return void socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end');
      if (path === '/trailers') return void socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-sum\r\n\r\n3\r\nabc\r\n0\r\nx-sum: 42\r\n\r\n');
      if (path === '/continue') return void socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      if (path === '/head') return void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n');
      if (path === '/drop-idle') {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndrop');
        // The upstream closes its keep-alive connection right after answering, without saying so.
        return void setImmediate(() => socket.end());
      }
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length + path.length}\r\n\r\n${path}${body.toString()}`);
    });
    const vhosts = catchAllTo('raw');
    px = await startProxy(bootstrap(httpListener('out', vhosts), cluster('raw', [up.port])));
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    for (const s of up.connections.items) s.destroy();
    await new Promise<void>((r) => up.server.close(() => r()));
  });

  it('reuses one upstream connection for sequential requests', async () => {
    const before = up.connections.items.length;
    for (let i = 0; i < 5; i++) expect((await get(port, `/seq/${i}`)).body).toBe(`/seq/${i}`);
    expect(up.connections.items.length - before).toBeLessThanOrEqual(1);
  });

  it('does not reuse a connection the upstream closes after answering, and the next request succeeds', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get(port, '/drop-idle')).body).toBe('drop');
      const last = up.connections.items[up.connections.items.length - 1];
      if (!last.destroyed) await withDeadline(once(last, 'close'), 3000, 'the upstream to close its connection');
      const next = await get(port, `/after-drop/${i}`);
      expect([next.status, next.body]).toEqual([200, `/after-drop/${i}`]);
    }
  });

  it('honours connection: close from the upstream', async () => {
    expect((await get(port, '/close-after')).body).toBe('close');
    expect((await get(port, '/after-close')).body).toBe('/after-close');
  });

  it('relays a body delimited by the end of the connection', async () => {
    const r = await get(port, '/eof-body');
    expect([r.status, r.body]).toEqual([200, 'until the end']);
  });

  it('relays a chunked response with its trailers', async () => {
    const r = await get(port, '/trailers');
    expect([r.status, r.body]).toEqual([200, 'abc']);
  });

  it('skips a 100 Continue and relays the final response', async () => {
    const r = await get(port, '/continue');
    expect([r.status, r.body]).toEqual([200, 'ok']);
  });

  it('reads no body after a HEAD response that announces one, and the connection stays usable', async () => {
    const r = await get(port, '/head', {}, 'HEAD');
    expect([r.status, r.headers['content-length'], r.body]).toEqual([200, '1000', '']);
    expect((await get(port, '/after-head')).body).toBe('/after-head');
  });

  it('sends a request body with content-length, and a chunked one chunked', async () => {
    expect((await get(port, '/cl', {}, 'POST', 'hello')).body).toBe('/clhello');
    const heads = up.heads.length;
    const s = connect(port, '127.0.0.1');
    let reply = '';
    s.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    s.write('POST /te HTTP/1.1\r\nhost: svc\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n8\r\nchunked \r\n4\r\nbody\r\n0\r\n\r\n');
    await withDeadline(once(s, 'close'), 3000, 'the response');
    expect(reply).toMatch(/^HTTP\/1\.1 200 [^]*\/techunked body$/);
    expect(up.heads[heads]).toMatch(/\r\ntransfer-encoding: chunked/i);
  });

  it('a client that aborts mid-body leaves no active request and no stuck connection', async () => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    await once(s, 'connect');
    s.write(`POST /abort HTTP/1.1\r\nhost: svc\r\ncontent-length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    await waitFor(async () => (await activeRequests(px.adminPort)) === 1, { what: 'the upload to be in flight', timeoutMs: 3000 });
    s.destroy();
    await waitFor(async () => (await activeRequests(px.adminPort)) === 0, { what: 'no active upstream request left', timeoutMs: 3000 });
    expect((await get(port, '/after-abort')).body).toBe('/after-abort');
  });
});

async function activeRequests(adminPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/clusters`);
  const clusters = (await res.json()) as { name: string; hosts: { activeRequests: number }[] }[];
  return clusters.find((c) => c.name === 'raw')?.hosts.reduce((a, h) => a + h.activeRequests, 0) ?? -1;
}
