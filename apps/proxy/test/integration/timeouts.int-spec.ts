import { connect } from 'node:net';
import { withDeadline } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/** Idle and request timeouts of the connection manager and the route (Envoy semantics). */
describe('idle and request timeouts', () => {
  let stall: Upstream;
  let px: RunningProxy;

  beforeAll(async () => {
    // Answers nothing until the test ends: only a timeout can end these requests.
    stall = await startUpstream('stall', () => undefined);
    const vhosts = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: /route-idle }
                route: { cluster: stall, timeout: 0s, idle_timeout: 0.3s }
              - match: { prefix: / }
                route: { cluster: stall, timeout: 0s }`;
    px = await startProxy(
      bootstrap(httpListener('out', vhosts, { hcm: '          stream_idle_timeout: 0.4s\n          request_timeout: 0.5s' }), cluster('stall', [stall.port])),
    );
  });
  afterAll(async () => {
    await px.close();
    await stall.close();
  });

  it('ends a silent upstream stream at the route idle_timeout with 504 UT', async () => {
    const r = await get(px.port('out'), '/route-idle');
    expect(r.status).toBe(504);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_UPSTREAM_TIMEOUT: .*idle timeout/);
  });

  it('falls back to the connection manager stream_idle_timeout', async () => {
    const r = await get(px.port('out'), '/other');
    expect(r.status).toBe(504);
  });

  it('answers 408 when the request does not arrive within request_timeout', async () => {
    const socket = connect(px.port('out'), '127.0.0.1');
    let reply = '';
    socket.on('data', (c: Buffer) => (reply += c.toString()));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('POST /slow HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nabc');
    await withDeadline(closed, 10_000, 'the proxy to give up on the slow request');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
  });
});

/**
 * The upstream idle timeout is longer than the pool's keep-alive timer that watches the connection:
 * silence is counted across several timer expiries, so a slow answer within the idle timeout still
 * arrives, and a silent upstream is ended at the idle timeout, not at the first expiry.
 */
describe('upstream idle timeout longer than the connection keep-alive', () => {
  let slow: Upstream;
  let px: RunningProxy;

  beforeAll(async () => {
    slow = await startUpstream('slow', (req, res) => {
      if (req.url === '/never') return; // silent until the test ends
      // The app's own behaviour: it answers after 0.6 s of silence (three keep-alive periods).
      setTimeout(() => res.end('late but in time'), 600);
    });
    const vhosts = `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: slow, timeout: 0s, idle_timeout: 1.5s }`;
    const keepAlive = `    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        common_http_protocol_options: { idle_timeout: 0.2s }
        explicit_http_config: { http_protocol_options: {} }`;
    px = await startProxy(bootstrap(httpListener('out', vhosts), cluster('slow', [slow.port], keepAlive)));
  });
  afterAll(async () => {
    await px?.close();
    await slow?.close();
  });

  it('a response after several keep-alive periods of silence, within the idle timeout, is relayed', async () => {
    const r = await get(px.port('out'), '/slow');
    expect(r).toMatchObject({ status: 200, body: 'late but in time' });
  });

  it('a silent upstream still ends at the idle timeout with 504 UT', async () => {
    const r = await get(px.port('out'), '/never');
    expect(r.status).toBe(504);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_UPSTREAM_TIMEOUT: .*idle timeout/);
  });
});
