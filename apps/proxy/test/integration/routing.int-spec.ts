import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

describe('HTTP routing through the proxy (real sockets)', () => {
  let v1: Upstream;
  let v2: Upstream;
  let px: RunningProxy;
  let port: number;

  beforeAll(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    const vhosts = `
            - name: reviews
              domains: ["reviews", "reviews:9080"]
              routes:
              - match: { prefix: /jason, headers: [{ name: end-user, string_match: { exact: jason } }] }
                route: { cluster: v2 }
              - match: { prefix: /old }
                redirect: { path_redirect: /new, response_code: TEMPORARY_REDIRECT }
              - match: { path: /hello }
                direct_response: { status: 200, body: { inline_string: "hi there" } }
              - match: { prefix: /api/ }
                route: { cluster: v1, prefix_rewrite: /v1/ }
              - match: { prefix: / }
                route:
                  weighted_clusters:
                    clusters:
                    - { name: v1, weight: 90 }
                    - { name: v2, weight: 10 }`;
    px = await startProxy(bootstrap(httpListener('out', vhosts), cluster('v1', [v1.port]) + cluster('v2', [v2.port])));
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    await v1.close();
    await v2.close();
  });

  it('splits 2,000 requests 90/10 within ±3 %', async () => {
    const counts: Record<string, number> = { v1: 0, v2: 0 };
    for (let i = 0; i < 20; i++) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => get(port, '/', { host: 'reviews' })));
      for (const r of batch) counts[r.body]++;
    }
    expect(counts.v1 + counts.v2).toBe(2000);
    expect(Math.abs(counts.v2 / 2000 - 0.1)).toBeLessThanOrEqual(0.03);
  });

  it('routes on headers, rewrites prefixes, redirects and answers directly', async () => {
    expect((await get(port, '/jason/x', { host: 'reviews:9080', 'end-user': 'jason' })).body).toBe('v2');
    const api = await get(port, '/api/items?x=1', { host: 'reviews' });
    expect(api.body).toBe('v1');
    expect(v1.seen[v1.seen.length - 1].url).toBe('/v1/items?x=1');
    const redirect = await get(port, '/old?q=2', { host: 'reviews' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe('http://reviews/new?q=2');
    const direct = await get(port, '/hello', { host: 'reviews' });
    expect([direct.status, direct.body]).toEqual([200, 'hi there']);
  });

  it('answers 404 with NR and a reason when no route matches', async () => {
    const r = await get(port, '/', { host: 'unknown.example' });
    expect(r.status).toBe(404);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_NO_ROUTE: no route for unknown\.example\//);
  });

  it('routes HTTP_PROXY-style absolute-form requests by their URL', async () => {
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: 'http://reviews/jason/abs', headers: { host: 'ignored', 'end-user': 'jason' } }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('v2');
  });

  it('adds tracing and request-id headers, keeping the ones the client sent', async () => {
    await get(port, '/jason/t', { host: 'reviews', 'end-user': 'jason', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const h = v2.seen[v2.seen.length - 1].headers;
    expect(h.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(h['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(h['x-b3-traceid']).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
