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
