import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent as HttpAgent, createServer as createH1Server, request as h1Request, type IncomingMessage } from 'node:http';
import { connect as h2Connect, createServer as createH2Server, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { request as undiciRequest, WebSocket } from 'undici';
import { Collector, waitFor, withDeadline } from '@weft/testing';
import { metricSum } from './prom-text';
import { bootstrap, client, cluster, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/**
 * Protocols through the proxy over real sockets: HTTP/1.1 keep-alive and streaming, large bodies,
 * h2c prior knowledge, gRPC (grpc-js on both ends), WebSocket upgrades and the TCP proxy.
 */

const H2_OPTIONS = `
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }`;

function listen(server: Server | ReturnType<typeof createH1Server> | ReturnType<typeof createH2Server>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

/** 1 MiB of bytes that differ per block, so a reordered or dropped block changes the digest. */
function block(i: number): Buffer {
  const b = Buffer.alloc(1024 * 1024, i % 251);
  b.writeUInt32BE(i, 0);
  return b;
}

const BLOCKS = 20;
function expectedDigest(): string {
  const h = createHash('sha256');
  for (let i = 0; i < BLOCKS; i++) h.update(block(i));
  return h.digest('hex');
}

// ---- gRPC: a service defined without .proto files (JSON messages) ----

type Msg = { text: string };
const json = {
  serialize: (m: Msg): Buffer => Buffer.from(JSON.stringify(m)),
  deserialize: (b: Buffer): Msg => JSON.parse(b.toString()) as Msg,
};
const ECHO_SERVICE = {
  unary: {
    path: '/weft.test.Echo/Unary',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  stream: {
    path: '/weft.test.Echo/Stream',
    requestStream: false,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;

const UNICODE_DETAILS = 'bad ärgument: 100% wrong / ✓ \u{1F600} %41 end';

function startGrpcServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    unary: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      if (call.request.text === 'fail') {
        const md = new grpc.Metadata();
        md.set('x-custom', 'trailing-value');
        md.set('x-blob-bin', Buffer.from([0, 1, 2, 255]));
        return cb({ code: grpc.status.FAILED_PRECONDITION, details: UNICODE_DETAILS, metadata: md });
      }
      const md = new grpc.Metadata();
      md.set('x-trailer', 'ok');
      cb(null, { text: `echo:${call.request.text}:${String(call.metadata.get('x-client')[0] ?? '')}` }, md);
    },
    stream: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      for (let i = 0; i < 5; i++) call.write({ text: `${call.request.text}-${i}` });
      const md = new grpc.Metadata();
      md.set('x-stream-trailer', 'done');
      call.end(md);
    },
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ server, port }))),
  );
}

// ---- WebSocket: a minimal RFC 6455 echo server (text frames) ----

function wsAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Parses masked client frames from `buf`; returns the frames and the unparsed rest. */
function wsParse(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let off = 0;
  while (buf.length - off >= 6) {
    const opcode = buf[off] & 0x0f;
    let len = buf[off + 1] & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - off < 8) break;
      len = buf.readUInt16BE(p);
      p += 2;
    }
    if (buf.length < p + 4 + len) break;
    const mask = buf.subarray(p, p + 4);
    const payload = Buffer.from(buf.subarray(p + 4, p + 4 + len));
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    frames.push({ opcode, payload });
    off = p + 4 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

function startWsEchoServer(seenUrls: string[]): ReturnType<typeof createH1Server> {
  const server = createH1Server((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    seenUrls.push(req.url ?? '');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${wsAccept(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
    );
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      const parsed = wsParse(Buffer.concat([buf, c]));
      buf = parsed.rest;
      for (const f of parsed.frames) {
        if (f.opcode === 0x8) socket.end(wsFrame(0x8, f.payload));
        else if (f.opcode === 0x1) socket.write(wsFrame(0x1, Buffer.from(`echo:${f.payload.toString()}`)));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return server;
}

describe('protocols through the proxy (real sockets)', () => {
  let plain: Upstream;
  let streaming: ReturnType<typeof createH1Server>;
  let streamingPort: number;
  let h2Up: ReturnType<typeof createH2Server>;
  let h2Port: number;
  const h2Seen: string[] = [];
  let grpcUp: { server: grpc.Server; port: number };
  let wsUp: ReturnType<typeof createH1Server>;
  const wsSeen: string[] = [];
  let wsPort: number;
  let echo: Server;
  let echoPort: number;
  let px: RunningProxy;
  let port: number;
  const upstreamConnections = new Collector<Socket>();
  const streamEvents = new Collector<string>();

  beforeAll(async () => {
    plain = await startUpstream('plain');
    plain.server.on('connection', upstreamConnections.push);

    streaming = createH1Server((req, res) => {
      if (req.url === '/big') {
        const h = createHash('sha256');
        req.on('data', (c: Buffer) => h.update(c));
        req.on('end', () => {
          res.writeHead(200, { 'x-request-sha256': h.digest('hex') });
          Readable.from((function* () {
            for (let i = 0; i < BLOCKS; i++) yield block(i);
          })()).pipe(res);
        });
        return;
      }
      // /stream: answers the first chunk at once, then echoes every further chunk as it arrives.
      req.once('data', (c: Buffer) => {
        streamEvents.push(`upstream got ${c.toString()}`);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(`ack:${c.toString()};`);
        req.on('data', (more: Buffer) => {
          streamEvents.push(`upstream got ${more.toString()}`);
          res.write(`echo:${more.toString()};`);
        });
        req.on('end', () => res.end('end'));
      });
    });
    streamingPort = await listen(streaming);

    h2Up = createH2Server((req, res) => {
      void readAll(req).then((body) => {
        h2Seen.push(req.httpVersion);
        res.setHeader('x-upstream-version', req.httpVersion);
        res.end(`h2up:${req.url}:${body.toString()}`);
      });
    });
    h2Port = await listen(h2Up);
    grpcUp = await startGrpcServer();
    wsUp = startWsEchoServer(wsSeen);
    wsPort = await listen(wsUp);
    echo = createNetServer((s) => {
      s.on('error', () => s.destroy());
      s.pipe(s);
    });
    echoPort = await listen(echo);

    const vhosts = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: /weft.test.Echo/ }
                route: { cluster: grpc }
              - match: { prefix: /h2/ }
                route: { cluster: h2 }
              - match: { prefix: /stream }
                route: { cluster: streaming }
              - match: { prefix: /big }
                route: { cluster: streaming, timeout: 0s }
              - match: { prefix: /ws }
                route: { cluster: ws }
              - match: { prefix: /no-ws }
                route: { cluster: ws, upgrade_configs: [{ upgrade_type: websocket, enabled: false }] }
              - match: { prefix: / }
                route: { cluster: plain }`;
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
    const hcm = '          upgrade_configs: [{ upgrade_type: websocket }]';
    px = await startProxy(
      bootstrap(
        httpListener('out', vhosts, { hcm }) + tcp,
        cluster('plain', [plain.port]) +
          cluster('streaming', [streamingPort]) +
          cluster('h2', [h2Port], H2_OPTIONS) +
          cluster('grpc', [grpcUp.port], H2_OPTIONS) +
          cluster('ws', [wsPort]) +
          cluster('"outbound|7|v1|echo.default.svc.cluster.local"', [echoPort]),
      ),
    );
    port = px.port('out');
  });

  afterAll(async () => {
    await px.close();
    await plain.close();
    streaming.closeAllConnections();
    await closeServer(streaming);
    await closeServer(h2Up);
    grpcUp.server.forceShutdown();
    wsUp.closeAllConnections();
    await closeServer(wsUp);
    await closeServer(echo);
    await client.close();
  });

  it('serves several requests on one kept-alive HTTP/1.1 connection', async () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const results: { status: number; body: string; reused: boolean; localPort: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const req = h1Request({ host: '127.0.0.1', port, path: `/ka/${i}`, agent, headers: { host: 'plain' } });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      const body = (await readAll(res)).toString();
      results.push({ status: res.statusCode ?? 0, body, reused: req.reusedSocket, localPort: req.socket?.localPort ?? 0 });
    }
    agent.destroy();
    expect(results.map((r) => [r.status, r.body])).toEqual(Array.from({ length: 5 }, () => [200, 'plain']));
    expect(results.map((r) => r.reused)).toEqual([false, true, true, true, true]);
    expect(new Set(results.map((r) => r.localPort)).size).toBe(1);
    expect(plain.seen.slice(-5).map((s) => s.url)).toEqual(['/ka/0', '/ka/1', '/ka/2', '/ka/3', '/ka/4']);
    // …and the proxy reused one upstream connection for them too.
    expect(upstreamConnections.items.length).toBe(1);
  });

  it('streams a chunked request and a chunked response both ways without buffering either', async () => {
    const req = h1Request({ host: '127.0.0.1', port, method: 'POST', path: '/stream', headers: { host: 'streaming', 'transfer-encoding': 'chunked' } });
    req.write('one');
    streamEvents.push('client sent one');
    const [res] = (await withDeadline(once(req, 'response'), 5000, 'response head before the request body ended')) as [IncomingMessage];
    expect(res.headers['transfer-encoding']).toBe('chunked');
    let received = '';
    const got = new Collector<string>();
    res.on('data', (c: Buffer) => {
      received += c.toString();
      got.push(received);
    });
    await got.until((items) => items.some((r) => r.includes('ack:one;')), { what: 'the first response chunk while the request is still open' });
    streamEvents.push('client got ack');
    req.write('two');
    streamEvents.push('client sent two');
    await got.until((items) => items.some((r) => r.includes('echo:two;')), { what: 'the echo of the second chunk' });
    streamEvents.push('client got echo');
    req.end('three');
    await withDeadline(once(res, 'end'), 5000, 'response end');
    expect(received).toBe('ack:one;echo:two;echo:three;end');
    expect(streamEvents.items.slice(0, 6)).toEqual([
      'client sent one',
      'upstream got one',
      'client got ack',
      'client sent two',
      'upstream got two',
      'client got echo',
    ]);
  });

  it('passes a 20 MiB request body and a 20 MiB response body through intact', async () => {
    const body = Readable.from((function* () {
      for (let i = 0; i < BLOCKS; i++) yield block(i);
    })());
    const res = await undiciRequest(`http://127.0.0.1:${port}/big`, {
      method: 'POST',
      headers: { host: 'streaming', 'content-length': String(BLOCKS * 1024 * 1024) },
      body,
      dispatcher: client,
    });
    const h = createHash('sha256');
    let size = 0;
    for await (const c of res.body) {
      h.update(c as Buffer);
      size += (c as Buffer).length;
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-sha256']).toBe(expectedDigest());
    expect(size).toBe(BLOCKS * 1024 * 1024);
    expect(h.digest('hex')).toBe(expectedDigest());
    const streamed = await waitFor(async () => metricSum(await px.proxy.metricsText(), 'istio_request_bytes_sum', 'destination_cluster="streaming"'), {
      what: 'istio_request_bytes to count the upload',
    });
    expect(streamed).toBeGreaterThanOrEqual(BLOCKS * 1024 * 1024);
  }, 20_000);

  describe('h2c prior knowledge', () => {
    let session: ClientHttp2Session;
    beforeAll(() => {
      session = h2Connect(`http://127.0.0.1:${port}`);
    });
    afterAll(() => session.close());

    async function h2(path: string, body: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
      const stream = session.request({ ':method': 'POST', ':path': path, ':authority': 'svc', 'content-type': 'text/plain' });
      stream.end(body);
      const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
      const data = await readAll(stream);
      return { status: Number(headers[':status']), headers, body: data.toString() };
    }

    it('reaches an HTTP/2 upstream cluster over h2c', async () => {
      const r = await h2('/h2/x?q=1', 'over h2');
      expect([r.status, r.body, r.headers['x-upstream-version']]).toEqual([200, 'h2up:/h2/x?q=1:over h2', '2.0']);
    });

    it('reaches an HTTP/1.1 upstream cluster, several streams on one session', async () => {
      const rs = await Promise.all(Array.from({ length: 5 }, (_, i) => h2(`/multi/${i}`, `b${i}`)));
      expect(rs.map((r) => [r.status, r.body])).toEqual(Array.from({ length: 5 }, () => [200, 'plain']));
      const seen = plain.seen.slice(-5);
      expect(seen.map((s) => s.body).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
      expect(seen.every((s) => s.headers.host === 'svc')).toBe(true);
    });
  });

  describe('gRPC (grpc-js client and server)', () => {
    let grpcClient: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    beforeAll(() => {
      const Ctor = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
      grpcClient = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as typeof grpcClient;
    });
    afterAll(() => grpcClient.close());

    function unary(text: string): Promise<{ err: grpc.ServiceError | null; res: Msg | null; trailers: grpc.Metadata | null }> {
      return new Promise((resolve) => {
        const md = new grpc.Metadata();
        md.set('x-client', 'c1');
        let trailers: grpc.Metadata | null = null;
        const call = grpcClient.unary({ text }, md, (err: grpc.ServiceError | null, res: Msg | null) =>
          setImmediate(() => resolve({ err, res: res ?? null, trailers })),
        ) as grpc.ClientUnaryCall;
        call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
      });
    }

    it('relays a unary call with request metadata and trailing metadata', async () => {
      const r = await withDeadline(unary('hi'), 5000, 'unary call');
      expect(r.err).toBeNull();
      expect(r.res).toEqual({ text: 'echo:hi:c1' });
      expect(r.trailers?.get('x-trailer')).toEqual(['ok']);
    });

    it('relays a server-streaming call message by message, then its trailers', async () => {
      const call = grpcClient.stream({ text: 'm' }) as grpc.ClientReadableStream<Msg>;
      const msgs: string[] = [];
      call.on('data', (m: Msg) => msgs.push(m.text));
      const [status] = (await withDeadline(once(call, 'status'), 5000, 'stream status')) as [grpc.StatusObject];
      expect(msgs).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
      expect(status.code).toBe(grpc.status.OK);
      expect(status.metadata.get('x-stream-trailer')).toEqual(['done']);
    });

    it('relays an error status with a unicode, percent-encoded grpc-message and custom trailing metadata unchanged', async () => {
      const r = await withDeadline(unary('fail'), 5000, 'failing unary call');
      expect(r.err?.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(r.err?.details).toBe(UNICODE_DETAILS);
      expect(r.err?.metadata.get('x-custom')).toEqual(['trailing-value']);
      expect(r.err?.metadata.get('x-blob-bin')).toEqual([Buffer.from([0, 1, 2, 255])]);
    });

    it('counts gRPC requests with their grpc status', async () => {
      const count = async (grpcStatus: string): Promise<number> =>
        metricSum(await px.proxy.metricsText(), 'istio_requests_total', 'request_protocol="grpc"', `grpc_response_status="${grpcStatus}"`, 'response_code="200"');
      const [ok, failed] = [await count('0'), await count('9')];
      await withDeadline(Promise.all([unary('a'), unary('b'), unary('fail')]), 5000, 'three unary calls');
      await waitFor(async () => (await count('0')) === ok + 2 && (await count('9')) === failed + 1, { what: '2 OK and 1 FAILED_PRECONDITION counted', timeoutMs: 3000 });
    });
  });

  it('relays a WebSocket upgrade and echoes messages both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/chat?room=1`);
    const messages = new Collector<string>();
    ws.addEventListener('message', (e) => messages.push(String(e.data)));
    const opened = new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('close', (e) => reject(new Error(`closed before open: ${e.code} ${e.reason}`)));
    });
    await withDeadline(opened, 5000, 'the WebSocket to open');
    ws.send('hello');
    ws.send('x'.repeat(300));
    await messages.count(2, { timeoutMs: 5000 });
    expect(messages.items).toEqual(['echo:hello', `echo:${'x'.repeat(300)}`]);
    expect(wsSeen).toEqual(['/ws/chat?room=1']);
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
    ws.close(1000);
    expect(await withDeadline(closed, 5000, 'close handshake')).toBe(1000);
  });

  it('declines an h2c upgrade offer (curl --http2) and serves the request as HTTP/1.1', async () => {
    const s = netConnect(port, '127.0.0.1');
    s.write('GET /h2c-offer HTTP/1.1\r\nhost: plain\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    const response = (await withDeadline(readAll(s), 5000, 'the response')).toString('latin1');
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toMatch(/\r\n\r\n(5\r\n)?plain(\r\n0\r\n\r\n)?$/);
    const seen = plain.seen[plain.seen.length - 1];
    expect(seen.url).toBe('/h2c-offer');
    expect([seen.headers.upgrade, seen.headers['http2-settings']]).toEqual([undefined, undefined]);
  });

  it('refuses an upgrade its route disables with 403', async () => {
    const s = netConnect(port, '127.0.0.1');
    s.write('GET /no-ws HTTP/1.1\r\nhost: plain\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: x\r\nsec-websocket-version: 13\r\n\r\n');
    const response = (await withDeadline(readAll(s), 5000, 'the response')).toString('latin1');
    expect(response).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(response).toContain('x-weft-error: WEFT_ERR_PROXY_UPGRADE_NOT_ALLOWED');
  });

  it('proxies TCP to the cluster and counts istio_tcp_* metrics', async () => {
    const tcpPort = px.port('tcp');
    const payloads = ['ping-1', 'ping-2 longer payload'];
    for (const p of payloads) {
      const s = netConnect(tcpPort, '127.0.0.1');
      s.end(p);
      expect((await withDeadline(readAll(s), 5000, 'tcp echo')).toString()).toBe(p);
    }
    const bytes = payloads.join('').length;
    const labels = 'destination_service="echo.default.svc.cluster.local"';
    await waitFor(
      async () => {
        const text = await px.proxy.metricsText();
        const names = ['connections_opened', 'connections_closed', 'received_bytes', 'sent_bytes'];
        const got = names.map((n) => metricSum(text, `istio_tcp_${n}_total`, labels));
        if (got.join() !== [2, 2, bytes, bytes].join()) throw new Error(`opened, closed, received, sent = ${got.join()}`);
        return true;
      },
      { what: 'istio_tcp_* for 2 connections and their bytes', timeoutMs: 5000 },
    );
  });
});
