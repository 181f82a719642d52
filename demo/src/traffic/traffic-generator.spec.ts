import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify, TrafficGenerator } from './traffic-generator';

describe('classify', () => {
  it.each([
    ['a page: the version that served the reviews', new Response('{"versions":{"reviews":"v2"}}', { status: 200 }), { ok: true, reviews: 'v2' }],
    ['a page without reviews', new Response('{"versions":{"reviews":null}}', { status: 200 }), { ok: true, reviews: 'unavailable' }],
    ['a proxy error: status and code', new Response('x', { status: 503, headers: { 'x-weft-error': 'WEFT_ERR_PROXY_TIMEOUT: slow' } }), { ok: false, reason: '503 WEFT_ERR_PROXY_TIMEOUT' }],
    ['an app error: the status', new Response('{}', { status: 500 }), { ok: false, reason: '500' }],
    ['a body that is not JSON', new Response('<html>', { status: 200 }), { ok: false, reason: 'not JSON' }],
  ])('%s', async (_what, res, expected) => {
    expect(await classify(res, 3)).toEqual({ ...expected, ms: 3 });
  });
});

describe('TrafficGenerator', () => {
  let server: Server;
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    // Answers after 40 ms, counting concurrent requests.
    server = createServer((_req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"versions":{"reviews":"v1"}}');
      }, 40);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends at its steady rate, never faster', async () => {
    const lines: string[] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/productpage`;
    const generator = new TrafficGenerator({ target: url, rps: 20, timeoutMs: 2000, maxInFlight: 50, reportSeconds: 0.5, write: (l) => lines.push(l) });
    const started = Date.now();
    generator.start();
    while (lines.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = (Date.now() - started) / 1000;
    await generator.stop();
    const sent = Number(/^last [\d.]+s: (\d+) req/.exec(lines[0])?.[1]);
    expect(sent).toBeGreaterThanOrEqual(Math.floor(20 * 0.5 * 0.7));
    expect(sent).toBeLessThanOrEqual(Math.ceil(20 * elapsed));
  });

  it('caps the requests in flight, counting the skipped ticks, and prints a summary per report and one at the end', async () => {
    const lines: string[] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/productpage`;
    const generator = new TrafficGenerator({ target: url, rps: 200, timeoutMs: 2000, maxInFlight: 2, reportSeconds: 0.3, write: (l) => lines.push(l) });
    const started = Date.now();
    generator.start();
    while (lines.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    await generator.stop();
    const elapsed = (Date.now() - started) / 1000;
    const { requests, errors } = generator.tally.totals;
    expect(errors).toBe(0);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(200 * elapsed);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^last 0\.\d+s: \d+ req · reviews v1 \d+ · errors 0 · .* skipped \d+ \(max in flight\)/);
  });
});
