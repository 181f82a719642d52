import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { Collector } from '@weft/testing';
import { probeHttp, probeTcp, runCheck, type HttpProbe } from './probers';
import type { ProbeTarget } from './probe-target';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Local {
  readonly port: number;
  readonly requests: Collector<{ ua: string; path: string; method: string }>;
  /** One item each time a connection to the server closes. */
  readonly closed: Collector<true>;
  close(): Promise<void>;
}

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function httpServer(handler: Handler): Promise<Local> {
  const requests = new Collector<{ ua: string; path: string; method: string }>();
  const closed = new Collector<true>();
  const server = createServer((req, res) => {
    requests.push({ ua: req.headers['user-agent'] ?? '', path: req.url ?? '', method: req.method ?? '' });
    handler(req, res);
  });
  server.on('connection', (s: Socket) => s.on('close', () => closed.push(true)));
  const port = await listen(server);
  return {
    port,
    requests,
    closed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const spec = (port: number, over: Partial<HttpProbe> = {}): HttpProbe => ({
  host: '127.0.0.1',
  port,
  path: '/healthz',
  timeoutMs: 2000,
  userAgent: 'weft-registry/test-1',
  expectedStatuses: [{ start: 200, end: 299 }],
  ...over,
});

describe('HTTP probe', () => {
  const servers: Local[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const serve = async (h: Handler) => {
    const s = await httpServer(h);
    servers.push(s);
    return s;
  };

  it('passes on a 2xx and sends GET <path> with the replica’s user-agent', async () => {
    const s = await serve((_req, res) => res.end('ok'));
    await expect(probeHttp(spec(s.port))).resolves.toEqual({ ok: true, reason: 'status 200' });
    expect(s.requests.items).toEqual([{ ua: 'weft-registry/test-1', path: '/healthz', method: 'GET' }]);
  });

  it.each<[string, number, HttpProbe['expectedStatuses'], boolean]>([
    ['fails on a 503 by default', 503, [{ start: 200, end: 299 }], false],
    ['fails on a 301 by default', 301, [{ start: 200, end: 299 }], false],
    ['passes a 503 listed in expectedStatuses', 503, [{ start: 200, end: 204 }, { start: 500, end: 503 }], true],
    ['fails a 204 outside expectedStatuses', 204, [{ start: 200, end: 200 }], false],
  ])('%s', async (_name, status, expectedStatuses, ok) => {
    const s = await serve((_req, res) => res.writeHead(status).end('body'));
    await expect(probeHttp(spec(s.port, { expectedStatuses }))).resolves.toEqual({ ok, reason: `status ${status}` });
  });

  it('fails on a closed port with the socket error code', async () => {
    await expect(probeHttp(spec(await closedPort()))).resolves.toEqual({ ok: false, reason: 'ECONNREFUSED' });
  });

  it('fails a server that never answers at the timeout, and closes the connection', async () => {
    const s = await serve(() => undefined);
    await expect(probeHttp(spec(s.port, { timeoutMs: 150 }))).resolves.toEqual({ ok: false, reason: 'timeout after 150 ms' });
    await s.closed.count(1, { what: 'the probe connection to close' });
  });

  it('judges by the status even when the body never ends, then cuts the body off at the deadline', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    await expect(probeHttp(spec(s.port, { timeoutMs: 300 }))).resolves.toEqual({ ok: true, reason: 'status 200' });
    await s.closed.count(1, { what: 'the unfinished response to be cut off' });
  });

  it('reads a large body to the end instead of leaving the server blocked', async () => {
    // 4 MiB exceeds the socket buffers: the server finishes writing only if the probe reads it all.
    const finished = new Collector<true>();
    const s = await serve((_req, res) => {
      res.on('finish', () => finished.push(true));
      res.end(Buffer.alloc(4 * 1024 * 1024, 'x'));
    });
    await expect(probeHttp(spec(s.port, { timeoutMs: 10_000 }))).resolves.toEqual({ ok: true, reason: 'status 200' });
    await finished.count(1, { what: 'the server to finish writing the body', timeoutMs: 5000 });
    await s.closed.count(1, { what: 'the probe connection to close' });
  });

  it('resolves as aborted when its signal fires, and closes the connection', async () => {
    const s = await serve(() => undefined);
    const ac = new AbortController();
    const p = probeHttp(spec(s.port, { timeoutMs: 10_000 }), ac.signal);
    await s.requests.count(1);
    ac.abort();
    await expect(p).resolves.toEqual({ ok: false, reason: 'aborted' });
    await s.closed.count(1, { what: 'the aborted connection to close' });
  });
});

describe('TCP probe', () => {
  it('passes when a listener accepts, and closes the connection', async () => {
    const closed = new Collector<true>();
    const server = createTcpServer((sock) => sock.on('close', () => closed.push(true)));
    const port = await listen(server);
    try {
      await expect(probeTcp({ host: '127.0.0.1', port, timeoutMs: 2000 })).resolves.toEqual({ ok: true, reason: 'connected' });
      await closed.count(1, { what: 'the probe connection to close' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('fails on a closed port', async () => {
    await expect(probeTcp({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 2000 })).resolves.toEqual({
      ok: false,
      reason: 'ECONNREFUSED',
    });
  });

  it('resolves as aborted without connecting when the signal already fired', async () => {
    await expect(probeTcp({ host: '127.0.0.1', port: 1, timeoutMs: 2000 }, AbortSignal.abort())).resolves.toEqual({
      ok: false,
      reason: 'aborted',
    });
  });
});

describe('runCheck', () => {
  it('fails a target whose check names a port the service lacks, without any I/O', async () => {
    const target = { port: null, host: '127.0.0.1', check: { type: 'http', port: 'admin', timeoutSeconds: 1 } } as unknown as ProbeTarget;
    await expect(runCheck(target, 'ua')).resolves.toEqual({ ok: false, reason: 'service has no port admin' });
  });
});
