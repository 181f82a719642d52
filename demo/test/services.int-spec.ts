import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runService, type RunningService, type ServiceName } from '../src/services/run-service';
import { getJson } from './test-helpers';

/**
 * The demo services against a stand-in sidecar: a plain HTTP server on the services' outbound URL
 * that routes by Host like the real proxy's OUTBOUND listener, records what it was sent, and can be
 * told to answer for a service the way the proxy does when that service is down.
 */
process.env['WEFT_LOG_LEVEL'] ??= 'silent';

interface Seen {
  readonly host: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

class FakeSidecar {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, number>();
  readonly down = new Set<string>();
  private readonly server: Server = createServer((req, res) => void this.handle(req.headers, req.url ?? '/', res));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(headers: IncomingHttpHeaders, path: string, res: import('node:http').ServerResponse): Promise<void> {
    const host = headers.host ?? '';
    this.seen.push({ host, path, headers });
    const service = host.replace(/:9080$/, '');
    const port = this.routes.get(service);
    if (port === undefined || this.down.has(service)) {
      res.writeHead(503, { 'x-weft-error': `WEFT_ERR_PROXY_CONNECT_FAILURE: upstream connect failure in cluster ${host}` });
      return void res.end('upstream connect failure');
    }
    const forwarded = Object.entries(headers).filter(([name, value]) => typeof value === 'string' && !['host', 'connection'].includes(name));
    const upstream = await fetch(`http://127.0.0.1:${port}${path}`, { headers: forwarded as [string, string][] });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
    res.end(await upstream.text());
  }
}

const sidecar = new FakeSidecar();
const running: RunningService[] = [];

async function start(name: ServiceName, ...flags: string[]): Promise<number> {
  const service = await runService(name, ['--port', '0', '--outbound-url', `http://127.0.0.1:${sidecar.port}`, ...flags], {});
  running.push(service);
  return service.port;
}

let productpage = 0;
let reviewsV1 = 0;
let reviewsV3 = 0;

beforeAll(async () => {
  await sidecar.start();
  sidecar.routes.set('details', await start('details'));
  sidecar.routes.set('ratings', await start('ratings'));
  reviewsV1 = await start('reviews', '--version', 'v1');
  reviewsV3 = await start('reviews', '--version', 'v3');
  productpage = await start('productpage');
});

afterAll(async () => {
  await Promise.all(running.map((service) => service.close()));
  await sidecar.close();
});

beforeEach(() => {
  sidecar.seen.length = 0;
  sidecar.down.clear();
  sidecar.routes.set('reviews', reviewsV3);
});

describe('productpage', () => {
  it('calls details and reviews through its sidecar by Host, passing the request id on', async () => {
    const page = await getJson(`http://127.0.0.1:${productpage}/productpage?id=7`, { 'x-request-id': 'req-1' });
    expect(page.status).toBe(200);
    expect(page.body['versions']).toEqual({ productpage: 'v1', details: 'v1', reviews: 'v3', ratings: 'v1' });
    expect(page.body['details']).toMatchObject({ id: 7, author: 'William Shakespeare' });
    const calls = sidecar.seen.map((s) => `${s.host} ${s.path} ${String(s.headers['x-request-id'])}`).sort();
    expect(calls).toEqual(['details:9080 /details/7 req-1', 'ratings:9080 /ratings/7 req-1', 'reviews:9080 /reviews/7 req-1']);
  });

  it('still answers 200 when reviews is down, with the proxy error in place of the reviews', async () => {
    sidecar.down.add('reviews');
    const page = await getJson(`http://127.0.0.1:${productpage}/productpage`);
    expect(page.status).toBe(200);
    expect(page.body['versions']).toEqual({ productpage: 'v1', details: 'v1', reviews: null, ratings: null });
    expect(String((page.body['reviews'] as { error: string }).error)).toMatch(/^503 WEFT_ERR_PROXY_CONNECT_FAILURE/);
  });

  it('renders HTML for a browser and rejects a bad id', async () => {
    const html = await fetch(`http://127.0.0.1:${productpage}/productpage`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('Served by productpage v1 · details v1 · reviews v3 · ratings v1');
    expect((await getJson(`http://127.0.0.1:${productpage}/productpage?id=x`)).status).toBe(400);
  });
});

describe('reviews', () => {
  it('v1 shows no stars and never calls ratings; v3 shows red stars from ratings', async () => {
    const v1 = await getJson(`http://127.0.0.1:${reviewsV1}/reviews/1`);
    expect(v1.body).toMatchObject({ version: 'v1' });
    expect((v1.body['reviews'] as { rating?: unknown }[]).every((r) => r.rating === undefined)).toBe(true);
    expect(sidecar.seen).toEqual([]);
    const v3 = await getJson(`http://127.0.0.1:${reviewsV3}/reviews/1`);
    expect(v3.body['reviews']).toMatchObject([{ rating: { stars: 5, color: 'red' } }, { rating: { stars: 4, color: 'red' } }]);
    expect(sidecar.seen.map((s) => s.host)).toEqual(['ratings:9080']);
  });

  it('keeps its reviews when ratings is down, each with the error instead of stars', async () => {
    sidecar.down.add('ratings');
    const v3 = await getJson(`http://127.0.0.1:${reviewsV3}/reviews/1`);
    expect(v3.status).toBe(200);
    expect(v3.body['ratingsVersion']).toBeNull();
    expect(v3.body['reviews']).toMatchObject([{ rating: { error: expect.stringMatching(/^ratings unavailable: 503/) } }, { rating: { error: expect.any(String) } }]);
  });
});

describe('every service', () => {
  it('answers /healthz, 404 for unknown paths, and 503 for every request at --failure-rate 1', async () => {
    const failing = await start('details', '--failure-rate', '1');
    expect(await getJson(`http://127.0.0.1:${failing}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok', service: 'details' } });
    const failed = await getJson(`http://127.0.0.1:${failing}/details/1`);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-demo-workload')).toBe('details-v1');
    const ratings = sidecar.routes.get('ratings') as number;
    expect((await getJson(`http://127.0.0.1:${ratings}/nope`)).status).toBe(404);
  });
});
