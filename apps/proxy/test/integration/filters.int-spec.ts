import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { request } from 'undici';
import { waitFor, withDeadline } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, catchAllTo, type RunningProxy, type Upstream } from './harness';

/**
 * HTTP filters through the proxy over real sockets: fault injection (abort, delay, per-route
 * override), local rate limiting, and request mirroring. Percentages are checked over thousands of
 * requests with tolerances of several standard deviations; delays by ordering, never by timing.
 */

jest.setTimeout(15_000);

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

async function metric(px: RunningProxy, name: string, labels: Record<string, string>): Promise<number> {
  const res = await request(`http://127.0.0.1:${px.adminPort}/stats/prometheus`);
  let sum = 0;
  for (const line of (await res.body.text()).split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Sends `n` requests, 100 at a time. */
async function many(port: number, n: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }[]> {
  const out = [];
  for (let i = 0; i < n; i += 100) out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => get(port, path, headers)))));
  return out;
}

describe('fault injection', () => {
  let app: Upstream;
  let px: RunningProxy;
  let port: number;

  beforeAll(async () => {
    app = await startUpstream('app');
    const filters = `
          - name: envoy.filters.http.fault
            typed_config:
              "@type": ${FAULT}
              abort: { http_status: 503, percentage: { numerator: 10, denominator: HUNDRED } }`;
    const vhosts = `
            - name: faulty
              domains: ["*"]
              routes:
              - match: { prefix: /delayed }
                route: { cluster: app }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT}
                    delay: { fixed_delay: 0.5s, percentage: { numerator: 100 } }
              - match: { prefix: /quick }
                route: { cluster: app }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT}
                    delay: { fixed_delay: 0.5s, percentage: { numerator: 0 } }
              - match: { prefix: /teapot }
                route: { cluster: app }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT}
                    abort: { http_status: 418, percentage: { numerator: 100 } }
              - match: { prefix: / }
                route: { cluster: app }`;
    px = await startProxy(bootstrap(httpListener('out', vhosts, { filters }), cluster('app', [app.port])));
    port = px.port('out');
  });
  afterAll(async () => {
    await px.close();
    await app.close();
  });

  it('aborts 10 % of 2,000 requests (±3 %) with 503, x-weft-error and flag FI', async () => {
    const seenBefore = app.seen.length;
    const results = await many(port, 2000, '/abort', { host: 'svc' });
    const aborted = results.filter((r) => r.status === 503);
    expect(aborted.length + results.filter((r) => r.status === 200).length).toBe(2000);
    // σ = √(2000 · 0.1 · 0.9) ≈ 13.4 requests = 0.67 %: ±3 % is about 4.5 σ.
    expect(Math.abs(aborted.length / 2000 - 0.1)).toBeLessThanOrEqual(0.03);
    for (const r of aborted) expect(r.headers['x-weft-error']).toBe('WEFT_ERR_PROXY_FAULT_ABORT: fault filter abort');
    // Aborted requests never reach the upstream.
    expect(app.seen.length - seenBefore).toBe(2000 - aborted.length);
    await waitFor(async () => (await metric(px, 'istio_requests_total', { response_code: '503', response_flags: 'FI' })) === aborted.length, {
      what: 'the aborted requests counted with flag FI',
    });
  });

  it('a per-route override replaces the listener fault config (abort 100 % with 418, no 10 % abort of 503)', async () => {
    const results = await many(port, 200, '/teapot', { host: 'svc' });
    expect(results.map((r) => r.status)).toEqual(results.map(() => 418));
    expect(results[0].headers['x-weft-error']).toBe('WEFT_ERR_PROXY_FAULT_ABORT: fault filter abort');
  });

  it('delays requests on the route whose override asks for it (a later request overtakes it), flag DI', async () => {
    const before = app.seen.length;
    // Send the delayed request first, and the next one only once its bytes are on the wire.
    let sent: () => void = () => undefined;
    const onWire = new Promise<void>((r) => (sent = r));
    const delayed = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/delayed', headers: { host: 'svc' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(() => sent());
    });
    await withDeadline(onWire, 5000, 'the delayed request to be sent');
    const quick = await get(port, '/quick', { host: 'svc' });
    expect(quick.status).toBe(200);
    // The later, undelayed request reached the upstream while the delayed one was still held.
    expect(app.seen.slice(before).map((s) => s.url)).toEqual(['/quick']);
    const d = await delayed;
    expect([d.status, d.body]).toEqual([200, 'app']);
    expect(app.seen.slice(before).map((s) => s.url)).toEqual(['/quick', '/delayed']);
    await waitFor(async () => (await metric(px, 'istio_requests_total', { response_code: '200', response_flags: 'DI' })) === 1, {
      what: 'the delayed request counted with flag DI',
    });
  });
  it('a client that leaves during the delay is never forwarded: the delay ends with flag DC', async () => {
    const socket = connect(port, '127.0.0.1');
    await withDeadline(new Promise<void>((r) => socket.once('connect', r)), 5000, 'a connection to the proxy');
    await new Promise<void>((r) => socket.write('GET /delayed/abandoned HTTP/1.1\r\nhost: svc\r\n\r\n', () => r()));
    socket.destroy();
    await waitFor(async () => (await metric(px, 'istio_requests_total', { response_flags: 'DI,DC' })) === 1, {
      what: 'the abandoned request counted with flags DI,DC',
    });
    // A delayed request sent after it completes after its delay; had the abandoned one been
    // forwarded when its own (earlier) delay ended, the upstream would have seen it first.
    expect((await get(port, '/delayed/after', { host: 'svc' })).status).toBe(200);
    expect(app.seen.map((s) => s.url)).not.toContain('/delayed/abandoned');
  });
});

describe('local rate limit', () => {
  it('a bucket of 5 tokens with a long fill interval lets exactly 5 through; the rest get 429 RL', async () => {
    const app = await startUpstream('app');
    const filters = `
          - name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
              stat_prefix: rl
              token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: 3600s }
              filter_enabled: { default_value: { numerator: 100 } }
              filter_enforced: { default_value: { numerator: 100 } }
              response_headers_to_add: [{ header: { key: x-limited, value: "yes" } }]`;
    const vhosts = catchAllTo('app', 'limited');
    const px = await startProxy(bootstrap(httpListener('out', vhosts, { filters }), cluster('app', [app.port])));
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => get(px.port('out'), '/', { host: 'svc' })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(15).fill(429)]);
      const limited = results.filter((r) => r.status === 429);
      for (const r of limited) {
        expect(r.headers['x-weft-error']).toBe('WEFT_ERR_PROXY_RATE_LIMITED: local rate limit exceeded');
        expect(r.headers['x-limited']).toBe('yes');
      }
      expect(app.seen).toHaveLength(5);
      await waitFor(async () => (await metric(px, 'istio_requests_total', { response_code: '429', response_flags: 'RL' })) === 15, {
        what: '15 requests counted with flag RL',
      });
    } finally {
      await px.close();
      await app.close();
    }
  });
});

describe('request mirroring', () => {
  it('runtime_fraction 50 %: the mirror cluster gets about half, with a -shadow host; the primary gets all', async () => {
    const primary = await startUpstream('primary');
    const shadow = await startUpstream('shadow');
    const vhosts = `
            - name: reviews
              domains: ["reviews:9080"]
              routes:
              - match: { prefix: / }
                route:
                  cluster: primary
                  request_mirror_policies: [{ cluster: shadow, runtime_fraction: { default_value: { numerator: 50 } } }]`;
    const px = await startProxy(bootstrap(httpListener('out', vhosts), cluster('primary', [primary.port]) + cluster('shadow', [shadow.port])));
    try {
      const results = await many(px.port('out'), 2000, '/', { host: 'reviews:9080' });
      expect(results.map((r) => r.body)).toEqual(results.map(() => 'primary'));
      expect(primary.seen).toHaveLength(2000);
      // Mirrors are fire-and-forget: wait until none is in flight, then count what the shadow saw.
      await waitFor(async () => (await activeOf(px, 'shadow')) === 0, { what: 'the mirrored requests to finish' });
      // σ = √(2000 · 0.25) ≈ 22 requests = 1.1 %: ±5 % is about 4.5 σ.
      expect(Math.abs(shadow.seen.length / 2000 - 0.5)).toBeLessThanOrEqual(0.05);
      expect(new Set(shadow.seen.map((s) => s.headers.host))).toEqual(new Set(['reviews-shadow:9080']));
      // A mirrored request is a copy: same request id as the primary's.
      const primaryIds = new Set(primary.seen.map((s) => s.headers['x-request-id']));
      expect(shadow.seen.every((s) => primaryIds.has(s.headers['x-request-id']))).toBe(true);
    } finally {
      await px.close();
      await primary.close();
      await shadow.close();
    }
  });
});

async function activeOf(px: RunningProxy, clusterName: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${px.adminPort}/clusters`);
  const dump = (await res.body.json()) as { name: string; hosts: { activeRequests: number; success: number; error: number }[] }[];
  const hosts = dump.find((c) => c.name === clusterName)?.hosts ?? [];
  return hosts.reduce((s, h) => s + h.activeRequests, 0);
}
