import { once } from 'node:events';
import { connect } from 'node:net';
import { Collector, withDeadline } from '@weft/testing';
import { bootstrap, cluster, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/**
 * The HTTP/1.1 fast path of the listener over raw sockets: pipelined requests answered in order,
 * HTTP/1.0 clients, Expect: 100-continue, bodies without a length, and the keep-alive idle timeout.
 */

/** Sends raw bytes; resolves with everything received until the proxy closes the connection. */
async function exchange(port: number, ...parts: string[]): Promise<string> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  let received = '';
  s.on('data', (c: Buffer) => (received += c.toString('latin1')));
  for (const p of parts) s.write(p);
  await withDeadline(once(s, 'close'), 5000, 'the proxy to answer and close the connection');
  return received;
}

describe('HTTP/1.1 fast path', () => {
  let up: Upstream;
  let px: RunningProxy;
  let port: number;

  beforeAll(async () => {
    up = await startUpstream('up', (req, res, body) => {
      if (req.url === '/streamed') {
        // No content-length: chunked to an HTTP/1.1 client, close-delimited to an HTTP/1.0 one.
        res.write('part one;');
        res.end('part two');
        return;
      }
      res.setHeader('content-length', String(Buffer.byteLength(`${req.url}:${body}`)));
      res.end(`${req.url}:${body}`);
    });
    const vhosts = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: /direct }
                direct_response: { status: 200, body: { inline_string: direct } }
              - match: { prefix: / }
                route: { cluster: up }`;
    px = await startProxy(bootstrap(httpListener('out', vhosts, { hcm: '          common_http_protocol_options: { idle_timeout: 0.3s }' }), cluster('up', [up.port])));
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    await up.close();
  });

  it('answers pipelined requests in order, bodies included', async () => {
    const reply = await exchange(
      port,
      'GET /p1 HTTP/1.1\r\nhost: svc\r\n\r\n' +
        'POST /p2 HTTP/1.1\r\nhost: svc\r\ncontent-length: 5\r\n\r\nhello' +
        'POST /p3 HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'GET /p4 HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n\r\n',
    );
    const bodies = reply.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(['/p1:', '/p2:hello', '/p3:abc', '/p4:']);
  });

  it('answers a request in full before refusing a malformed one pipelined behind it (responses leave once per loop turn)', async () => {
    const before = up.seen.length;
    const reply = await exchange(
      port,
      'GET /direct HTTP/1.1\r\nhost: svc\r\n\r\n' + 'POST /smuggled HTTP/1.1\r\nhost: svc\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndirectHTTP\/1\.1 400 Bad Request\r\n/);
    expect(up.seen.length).toBe(before);
  });

  it('answers a request in full before the 417 of an expectation pipelined behind it', async () => {
    const reply = await exchange(port, 'GET /direct HTTP/1.1\r\nhost: svc\r\n\r\n' + 'GET /direct HTTP/1.1\r\nhost: svc\r\nexpect: something-else\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndirectHTTP\/1\.1 417 Expectation Failed\r\n/);
  });

  it('serves an HTTP/1.0 client and closes; a body without a length is delimited by the close', async () => {
    const reply = await exchange(port, 'GET /streamed HTTP/1.0\r\nhost: svc\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).not.toMatch(/transfer-encoding/i);
    expect(reply.slice(reply.indexOf('\r\n\r\n') + 4)).toBe('part one;part two');
  });

  it('relays a body without a length chunked to an HTTP/1.1 client', async () => {
    const reply = await exchange(port, 'GET /streamed HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n\r\n');
    expect(reply).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(reply.slice(reply.indexOf('\r\n\r\n') + 4)).toBe('9\r\npart one;\r\n8\r\npart two\r\n0\r\n\r\n');
  });

  it('answers Expect: 100-continue before the body is sent', async () => {
    const s = connect(port, '127.0.0.1');
    const got = new Collector<string>();
    let received = '';
    s.on('data', (c: Buffer) => {
      received += c.toString('latin1');
      got.push(received);
    });
    s.write('POST /expect HTTP/1.1\r\nhost: svc\r\ncontent-length: 4\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n');
    await got.until((r) => r.some((x) => x.startsWith('HTTP/1.1 100 Continue\r\n\r\n')), { what: '100 Continue' });
    s.write('body');
    await withDeadline(once(s, 'close'), 5000, 'the final response');
    expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\/expect:body$/);
  });

  it('answers an expectation other than 100-continue with 417 (as node:http does); the upstream sees nothing', async () => {
    const before = up.seen.length;
    const reply = await exchange(port, 'GET /expect-other HTTP/1.1\r\nhost: svc\r\nexpect: something-else\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
    expect(up.seen.length).toBe(before);
  });

  it('refuses an HTTP/1.1 request without Host (as node:http does); the upstream sees nothing', async () => {
    const before = up.seen.length;
    const reply = await exchange(port, 'GET /no-host HTTP/1.1\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*x-weft-error: WEFT_ERR_PROXY_BAD_REQUEST: missing Host header/);
    expect(up.seen.length).toBe(before);
  });

  it('closes a keep-alive connection left idle past the idle timeout', async () => {
    const s = connect(port, '127.0.0.1');
    let received = '';
    s.on('data', (c: Buffer) => (received += c.toString('latin1')));
    s.write('GET /idle HTTP/1.1\r\nhost: svc\r\n\r\n');
    await withDeadline(once(s, 'close'), 5000, 'the proxy to close the idle connection');
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\/idle:$/);
  });
});
