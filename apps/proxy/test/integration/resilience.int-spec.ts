import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { waitFor, withDeadline } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream, type UpstreamHandler } from './harness';

/**
 * Retries, timeouts, circuit breakers, connect failures, outlier detection and downstream aborts,
 * through the proxy over real sockets. Upstreams that must stay busy hold their responses until the
 * test releases them; nothing waits on a fixed sleep.
 */

jest.setTimeout(15_000);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const u = await startUpstream(name, handler);
  cleanups.push(() => u.close());
  return u;
}

async function proxy(yaml: string): Promise<RunningProxy> {
  const px = await startProxy(yaml);
  cleanups.push(() => px.close());
  return px;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One virtual host for every authority with one route on `/`; `route` is the RouteAction YAML (indented 18). */
function catchAll(route: string): string {
  return `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route:
${route}`;
}

/** Responses held by an upstream until `release()`; later requests are answered at once. */
class Gate {
  readonly held: ServerResponse[] = [];
  private open = false;

  handler(name: string): UpstreamHandler {
    return (_req, res) => {
      if (this.open) return void res.end(name);
      this.held.push(res);
    };
  }

  release(name: string): void {
    this.open = true;
    for (const res of this.held.splice(0)) res.end(name);
  }
}

async function adminText(px: RunningProxy, path: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${px.adminPort}${path}`, { method, body });
  return { status: res.statusCode, text: await res.body.text() };
}

interface HostDump {
  address: string;
  ejected: boolean;
  activeRequests: number;
  success: number;
  error: number;
}

async function hostsOf(px: RunningProxy, clusterName: string): Promise<HostDump[]> {
  const dump = JSON.parse((await adminText(px, '/clusters')).text) as { name: string; hosts: HostDump[] }[];
  const c = dump.find((d) => d.name === clusterName);
  if (c === undefined) throw new Error(`no cluster ${clusterName} in /clusters`);
  return c.hosts;
}

/** Sum of a Prometheus series over the samples carrying every given label. */
async function metric(px: RunningProxy, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await adminText(px, '/stats/prometheus')).text;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Answers `status` the first time it sees an x-request-id, 200 afterwards; counts attempts per id. */
function firstAttemptFails(name: string, statusOf: (req: IncomingMessage) => number | 'hold'): { handler: UpstreamHandler; attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  const handler: UpstreamHandler = (req, res, body) => {
    const id = String(req.headers['x-request-id']);
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    const first = n === 1 ? statusOf(req) : 200;
    if (first === 'hold') return; // never answered: the proxy must give up on this attempt
    res.statusCode = first;
    res.end(`${name} attempt ${n} ${body.length}`);
  };
  return { handler, attempts };
}

describe('retries', () => {
  it('hide a flaky upstream: every 2nd answer is 503, retry_on 5xx with 2 retries → the client sees only 200', async () => {
    let n = 0;
    const flaky = await upstream('flaky', (_req, res) => {
      n++;
      res.statusCode = n % 2 === 0 ? 503 : 200;
      res.end(`answer ${n}`);
    });
    const retry = '                  retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s } }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(`                  cluster: flaky\n${retry}`)), cluster('flaky', [flaky.port])));
    const statuses = new Map<number, number>();
    for (let i = 0; i < 100; i++) {
      const r = await get(px.port('out'), `/item/${i}`, { host: 'flaky' });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect([...statuses]).toEqual([[200, 100]]);
    // Sequential: the 1st request is answered 200, each later one 503 then 200 on its retry.
    expect(flaky.seen).toHaveLength(199);
    expect(await metric(px, 'weft_proxy_upstream_rq_retry_total', { cluster_name: 'flaky' })).toBe(99);
  });

  it('stop after num_retries and relay the last upstream answer', async () => {
    const down = await upstream('down', (_req, res) => {
      res.statusCode = 503;
      res.end('still down');
    });
    const retry = '                  retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s } }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(`                  cluster: down\n${retry}`)), cluster('down', [down.port])));
    const r = await get(px.port('out'), '/', { host: 'down' });
    expect([r.status, r.body]).toEqual([503, 'still down']);
    expect(down.seen).toHaveLength(3);
  });

  it('retry connect failures on another host with the previous_hosts predicate', async () => {
    const live = await upstream('live');
    const dead = await closedPort();
    const policy = (predicate: boolean): string => `                  cluster: pair
                  hash_policy: [{ header: { header_name: x-key } }]
                  retry_policy:
                    retry_on: connect-failure
                    num_retries: 1
                    retry_back_off: { base_interval: 0.001s }
${predicate ? '                    retry_host_predicate: [{ name: envoy.retry_host_predicates.previous_hosts }]\n                    host_selection_retry_max_attempts: 3' : ''}`;
    const pair = cluster('pair', [dead, live.port], '    lb_policy: RING_HASH');
    const px = await proxy(bootstrap(httpListener('out', catchAll(policy(true))), pair));
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    // One at a time: concurrent retries would meet the default max_retries (3) circuit breaker.
    const sendAll = async (): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }[]> => {
      const out = [];
      for (const k of keys) out.push(await get(px.port('out'), '/', { host: 'pair', 'x-key': k }));
      return out;
    };
    const results = await sendAll();
    expect(results.map((r) => r.status)).toEqual(keys.map(() => 200));
    // Some keys hash to the dead endpoint: their first attempt failed there, the retry went elsewhere.
    const deadHost = (await hostsOf(px, 'pair')).find((h) => h.address === `127.0.0.1:${dead}`);
    expect(deadHost?.error).toBeGreaterThan(0);
    expect(live.seen).toHaveLength(40);

    // Without the predicate the retry follows the hash back to the dead endpoint.
    await px.proxy.applyConfig(bootstrap(httpListener('out', catchAll(policy(false))), pair));
    const again = await sendAll();
    const failed = again.filter((r) => r.status === 503);
    // Exactly the keys that hash to the dead endpoint fail: the ring is the same, only the predicate went.
    expect(failed.length).toBe(deadHost?.error);
    for (const r of failed) expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_CONNECT_FAILURE: .* after retries/);
  });

  it('retry the codes listed in retriable_status_codes, and only those', async () => {
    const { handler, attempts } = firstAttemptFails('codes', (req) => Number(req.headers['x-fail-with']));
    const up = await upstream('codes', handler);
    const retry = '                  retry_policy: { retry_on: retriable-status-codes, retriable_status_codes: [418], num_retries: 1, retry_back_off: { base_interval: 0.001s } }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(`                  cluster: codes\n${retry}`)), cluster('codes', [up.port])));
    const teapot = await get(px.port('out'), '/', { host: 'codes', 'x-request-id': 'teapot', 'x-fail-with': '418' });
    expect([teapot.status, teapot.body]).toEqual([200, 'codes attempt 2 0']);
    const internal = await get(px.port('out'), '/', { host: 'codes', 'x-request-id': 'internal', 'x-fail-with': '500' });
    expect([internal.status, internal.body]).toEqual([500, 'codes attempt 1 0']);
    expect(Object.fromEntries(attempts)).toEqual({ teapot: 2, internal: 1 });
  });

  it('replay the buffered request body on a retry, and do not retry once the body was too large to keep', async () => {
    const { handler, attempts } = firstAttemptFails('bodies', () => 503);
    const up = await upstream('bodies', handler);
    const retry = '                  retry_policy: { retry_on: 5xx, num_retries: 1, retry_back_off: { base_interval: 0.001s } }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(`                  cluster: bodies\n${retry}`)), cluster('bodies', [up.port])));
    const small = 'x'.repeat(10_000);
    const r1 = await get(px.port('out'), '/', { host: 'bodies', 'x-request-id': 'small' }, 'POST', small);
    expect([r1.status, r1.body]).toEqual([200, `bodies attempt 2 ${small.length}`]);
    expect(up.seen.filter((s) => s.headers['x-request-id'] === 'small').map((s) => s.body.length)).toEqual([small.length, small.length]);
    const large = 'y'.repeat(200_000);
    const r2 = await get(px.port('out'), '/', { host: 'bodies', 'x-request-id': 'large' }, 'POST', large);
    expect([r2.status, r2.body]).toEqual([503, `bodies attempt 1 ${large.length}`]);
    expect(attempts.get('large')).toBe(1);
  });
  it('are bounded by max_retries: a retry in flight holds its slot, the next retry overflows', async () => {
    const gate = new Gate();
    const hold = gate.handler('retried');
    const up = await upstream('storm', (req, res, body) => {
      const first = up.seen.filter((s) => s.headers['x-request-id'] === req.headers['x-request-id']).length === 1;
      if (!first) return hold(req, res, body);
      res.statusCode = 503;
      res.end('first attempt fails');
    });
    const retry = '                  retry_policy: { retry_on: 5xx, num_retries: 1, retry_back_off: { base_interval: 0.001s } }';
    const breakers = '    circuit_breakers: { thresholds: [{ max_retries: 1 }] }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(`                  cluster: storm\n${retry}`)), cluster('storm', [up.port], breakers)));
    const port = px.port('out');
    const a = get(port, '/', { host: 'storm', 'x-request-id': 'a' });
    await waitFor(() => gate.held.length === 1, { what: 'the retry of request a held upstream' });
    const b = await get(port, '/', { host: 'storm', 'x-request-id': 'b' });
    expect([b.status, b.body]).toEqual([503, 'first attempt fails']);
    expect(await metric(px, 'weft_proxy_upstream_overflow_total', { cluster_name: 'storm', resource: 'retries' })).toBe(1);
    gate.release('retried');
    expect((await a).status).toBe(200);
    expect(up.seen.map((s) => s.headers['x-request-id'])).toEqual(['a', 'a', 'b']);
  });
});

describe('timeouts', () => {
  it('a per-try timeout abandons the stuck attempt and the retry succeeds', async () => {
    const { handler, attempts } = firstAttemptFails('slow', () => 'hold');
    const up = await upstream('slow', handler);
    const firstClosed = new Promise<void>((resolve) => up.server.once('request', (req: IncomingMessage) => req.socket.once('close', () => resolve())));
    const route = `                  cluster: slow
                  timeout: 10s
                  retry_policy: { retry_on: 5xx, num_retries: 1, per_try_timeout: 0.2s, retry_back_off: { base_interval: 0.001s } }`;
    const px = await proxy(bootstrap(httpListener('out', catchAll(route)), cluster('slow', [up.port])));
    const r = await get(px.port('out'), '/', { host: 'slow', 'x-request-id': 'stuck-once' });
    expect([r.status, r.body]).toEqual([200, 'slow attempt 2 0']);
    expect(attempts.get('stuck-once')).toBe(2);
    await withDeadline(firstClosed, 5000, 'the proxy to drop the timed-out attempt upstream');
  });

  it('the per-try timeout runs from when the attempt is sent, not while it waits for a connection', async () => {
    const gate = new Gate();
    const up = await upstream('one', gate.handler('one'));
    const route = `                  cluster: one
                  timeout: 5s
                  retry_policy: { retry_on: 5xx, num_retries: 0, per_try_timeout: 0.2s }`;
    const breakers = '    circuit_breakers: { thresholds: [{ max_connections: 1 }] }';
    const px = await proxy(bootstrap(httpListener('out', catchAll(route)), cluster('one', [up.port], breakers)));
    const port = px.port('out');
    // The second request waits for the only connection, then gets its own full per-try timeout.
    const both = await Promise.all([get(port, '/1', { host: 'one' }), get(port, '/2', { host: 'one' })]);
    expect(both.map((r) => r.status)).toEqual([504, 504]);
    for (const r of both) expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_UPSTREAM_TIMEOUT: upstream per-try or idle timeout in cluster one/);
    expect(up.seen).toHaveLength(2);
  });

  it('the route timeout answers 504 with x-weft-error and flag UT', async () => {
    const gate = new Gate();
    const up = await upstream('stuck', gate.handler('stuck'));
    const px = await proxy(bootstrap(httpListener('out', catchAll('                  cluster: stuck\n                  timeout: 0.2s')), cluster('stuck', [up.port])));
    const r = await get(px.port('out'), '/', { host: 'stuck' });
    expect(r.status).toBe(504);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_UPSTREAM_TIMEOUT: upstream request timeout after 200 ms/);
    expect(up.seen).toHaveLength(1);
    await waitFor(() => metric(px, 'istio_requests_total', { response_code: '504', response_flags: 'UT' }).then((n) => n === 1), { what: 'a 504 UT request in the metrics' });
    // The abandoned upstream request was reset, not left running.
    await waitFor(() => gate.held.every((res) => res.destroyed), { what: 'the upstream request to be reset' });
    expect((await hostsOf(px, 'stuck'))[0].activeRequests).toBe(0);
  });
});

describe('circuit breakers', () => {
  it('max_requests: overflow is answered 503 UO while the upstream is busy, and counted', async () => {
    const gate = new Gate();
    const up = await upstream('busy', gate.handler('busy'));
    const breakers = '    circuit_breakers: { thresholds: [{ max_requests: 2 }] }';
    const px = await proxy(bootstrap(httpListener('out', catchAll('                  cluster: busy')), cluster('busy', [up.port], breakers)));
    const port = px.port('out');
    const inFlight = [get(port, '/1', { host: 'busy' }), get(port, '/2', { host: 'busy' })];
    await waitFor(() => gate.held.length === 2, { what: 'two requests held upstream' });
    const over = await get(port, '/3', { host: 'busy' });
    expect(over.status).toBe(503);
    expect(over.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_OVERFLOW: .*requests circuit breaker open/);
    gate.release('busy');
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200]);
    expect(up.seen).toHaveLength(2);
    expect(await metric(px, 'weft_proxy_upstream_overflow_total', { cluster_name: 'busy', resource: 'requests' })).toBe(1);
    expect(await metric(px, 'istio_requests_total', { response_code: '503', response_flags: 'UO' })).toBe(1);
    // Once the busy requests are done, the breaker closes again.
    expect((await get(port, '/4', { host: 'busy' })).status).toBe(200);
  });

  it('max_pending_requests: a request that would wait behind a full pool is refused with UO', async () => {
    const gate = new Gate();
    const up = await upstream('pool', gate.handler('pool'));
    const breakers = '    circuit_breakers: { thresholds: [{ max_connections: 1, max_pending_requests: 1 }] }';
    const px = await proxy(bootstrap(httpListener('out', catchAll('                  cluster: pool')), cluster('pool', [up.port], breakers)));
    const port = px.port('out');
    const first = get(port, '/1', { host: 'pool' });
    await waitFor(() => gate.held.length === 1, { what: 'the first request held upstream' });
    const second = get(port, '/2', { host: 'pool' });
    await waitFor(async () => (await hostsOf(px, 'pool'))[0].activeRequests === 2, { what: 'the second request queued in the pool' });
    const over = await get(port, '/3', { host: 'pool' });
    expect(over.status).toBe(503);
    expect(over.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_OVERFLOW: .*pending circuit breaker open/);
    gate.release('pool');
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect(await metric(px, 'weft_proxy_upstream_overflow_total', { cluster_name: 'pool', resource: 'pending' })).toBe(1);
    expect(await metric(px, 'istio_requests_total', { response_code: '503', response_flags: 'UO' })).toBe(1);
  });
});

describe('upstream failures', () => {
  it('a connect failure to a closed port is answered 503 UF', async () => {
    const dead = await closedPort();
    const px = await proxy(bootstrap(httpListener('out', catchAll('                  cluster: gone')), cluster('gone', [dead])));
    const r = await get(px.port('out'), '/', { host: 'gone' });
    expect(r.status).toBe(503);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_CONNECT_FAILURE: upstream connect failure in cluster gone/);
    await waitFor(() => metric(px, 'istio_requests_total', { response_code: '503', response_flags: 'UF' }).then((n) => n === 1), { what: 'a 503 UF request in the metrics' });
  });

  it('outlier detection ejects a host after consecutive 5xx until base_ejection_time has passed', async () => {
    const good = [await upstream('a'), await upstream('b')];
    const bad = await upstream('bad', (_req, res) => {
      res.statusCode = 500;
      res.end('bad');
    });
    const od = '    outlier_detection: { consecutive_5xx: 3, interval: 0.1s, base_ejection_time: 2s, max_ejection_percent: 100 }';
    const yaml = bootstrap(httpListener('out', catchAll('                  cluster: three')), cluster('three', [good[0].port, good[1].port, bad.port], od));
    const px = await proxy(yaml);
    const port = px.port('out');
    const badId = `127.0.0.1:${bad.port}`;
    // Round robin: the bad host answers every third request; its third 500 ejects it.
    let errors = 0;
    for (let i = 0; i < 9; i++) if ((await get(port, '/', { host: 'three' })).status === 500) errors++;
    expect(errors).toBe(3);
    expect((await hostsOf(px, 'three')).find((h) => h.address === badId)?.ejected).toBe(true);
    const seenAtEjection = bad.seen.length;
    const statuses = await Promise.all(Array.from({ length: 30 }, () => get(port, '/', { host: 'three' }).then((r) => r.status)));
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(bad.seen.length).toBe(seenAtEjection);
    // A config push that leaves the cluster unchanged keeps the ejection and its timer.
    expect((await adminText(px, '/config', 'POST', yaml)).status).toBe(200);
    expect((await hostsOf(px, 'three')).find((h) => h.address === badId)?.ejected).toBe(true);
    // After base_ejection_time the host is back and gets traffic again.
    await waitFor(async () => (await get(port, '/', { host: 'three' })).status === 500, { timeoutMs: 8000, what: 'the ejected host to receive traffic again' });
    expect((await hostsOf(px, 'three')).find((h) => h.address === badId)?.ejected).toBe(false);
  });
});

describe('downstream aborts', () => {
  it('a client that disconnects mid-body neither crashes the proxy nor leaks the upstream request', async () => {
    const up = await upstream('sink');
    const arrived = new Promise<IncomingMessage>((resolve) => up.server.once('request', resolve));
    const px = await proxy(bootstrap(httpListener('out', catchAll('                  cluster: sink')), cluster('sink', [up.port])));
    const port = px.port('out');
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', r));
    socket.write('POST /upload HTTP/1.1\r\nhost: sink\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
    const upstreamReq = await withDeadline(arrived, 5000, 'the request to reach the upstream');
    const upstreamGone = new Promise<void>((resolve) => upstreamReq.socket.once('close', () => resolve()));
    socket.destroy();
    await withDeadline(upstreamGone, 5000, 'the proxy to reset the upstream request');
    await waitFor(async () => (await hostsOf(px, 'sink'))[0].activeRequests === 0, { what: 'no active upstream request left' });
    const after = await get(port, '/after', { host: 'sink' });
    expect([after.status, after.body]).toEqual([200, 'sink']);
  });
});
