import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { waitFor } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream, type UpstreamHandler } from './harness';

/**
 * Load balancing through the proxy over real sockets: every endpoint is its own upstream server
 * answering its name, so the response body says which endpoint served a request.
 */

jest.setTimeout(15_000);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstreams(names: readonly string[], handler?: (name: string) => UpstreamHandler): Promise<Upstream[]> {
  const out: Upstream[] = [];
  for (const name of names) {
    const u = await startUpstream(name, handler?.(name));
    cleanups.push(() => u.close());
    out.push(u);
  }
  return out;
}

async function proxy(yaml: string): Promise<RunningProxy> {
  const px = await startProxy(yaml);
  cleanups.push(() => px.close());
  return px;
}


/** Every authority, one route to `cluster`; `more` is extra RouteAction YAML (indented 18). */
function routeTo(cluster: string, more = ''): string {
  return httpListener(
    'out',
    `
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route:
                  cluster: ${cluster}
${more}`,
  );
}

const HASH_ON_USER = '                  hash_policy: [{ header: { header_name: x-user } }]';

/** Which endpoint served each request, sent `concurrency` at a time. */
async function served(port: number, n: number, headers: (i: number) => Record<string, string> = () => ({}), concurrency = 50): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, n - i) }, (_, k) => get(port, '/', { host: 'svc', ...headers(i + k) }));
    for (const r of await Promise.all(batch)) {
      expect(r.status).toBe(200);
      out.push(r.body);
    }
  }
  return out;
}

function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

async function postConfig(px: RunningProxy, yaml: string): Promise<void> {
  const res = await request(`http://127.0.0.1:${px.adminPort}/config`, { method: 'POST', body: yaml });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`config rejected: ${text}`);
}

describe('load balancing', () => {
  it('ROUND_ROBIN spreads requests evenly over 3 endpoints', async () => {
    const eps = await upstreams(['a', 'b', 'c']);
    const px = await proxy(bootstrap(routeTo('rr'), cluster('rr', eps.map((u) => ({ port: u.port })), '    lb_policy: ROUND_ROBIN')));
    // A rotation: each endpoint gets exactly every third pick.
    expect(tally(await served(px.port('out'), 300))).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('weighted endpoints (load_balancing_weight 1:3) share the load 1:3', async () => {
    const [light, heavy] = await upstreams(['light', 'heavy']);
    const px = await proxy(bootstrap(routeTo('w'), cluster('w', [{ port: light.port, weight: 1 }, { port: heavy.port, weight: 3 }])));
    const counts = tally(await served(px.port('out'), 400));
    // Smooth weighted round robin is exact over each cycle of 4 picks; allow one cycle of slack.
    expect(Math.abs(counts.light - 100)).toBeLessThanOrEqual(4);
    expect(counts.light + counts.heavy).toBe(400);
  });

  it('LEAST_REQUEST sends nothing to an endpoint held busy while others are idle', async () => {
    const held: ServerResponse[] = [];
    const eps = await upstreams(['busy', 'idle1', 'idle2'], (name) => (req, res) => {
      if (req.url === '/hold') return void held.push(res);
      res.end(name);
    });
    const endpoints = eps.map((u) => ({ port: u.port }));
    const px = await proxy(bootstrap(routeTo('lr'), cluster('lr', endpoints, '    lb_policy: LEAST_REQUEST')));
    const port = px.port('out');
    // Park long requests until one lands on `busy` (each parked request makes its endpoint busier still).
    const parked: Promise<unknown>[] = [];
    while (eps[0].seen.length === 0) {
      const before = held.length;
      parked.push(get(port, '/hold', { host: 'svc' }));
      await waitFor(() => held.length > before, { what: 'a parked request upstream' });
    }
    // Release the parked requests on the idle endpoints only.
    for (const res of held.splice(0)) {
      if (res.req.socket.localPort === eps[0].port) held.push(res);
      else res.end('released');
    }
    await waitFor(async () => activeOf(px, 'lr').then((a) => a === 1), { what: 'only the busy endpoint to have a request in flight' });
    const counts = tally(await served(port, 100, () => ({}), 1));
    expect(counts.busy).toBeUndefined();
    expect(counts.idle1 + counts.idle2).toBe(100);
    for (const res of held) res.end('released');
    await Promise.all(parked);
  });

  it('RING_HASH keeps a key on its endpoint, and a 4th endpoint takes about 1/4 of the keys from the others', async () => {
    await consistentHashScenario('RING_HASH');
  });

  it('MAGLEV keeps a key on its endpoint, and a 4th endpoint takes about 1/4 of the keys', async () => {
    await consistentHashScenario('MAGLEV');
  });

  it('PEAK_EWMA sends fewer requests to a slow endpoint', async () => {
    const eps = await upstreams(['slow', 'fast'], (name) => (_req, res) => {
      // The slow endpoint answers after 250 ms (the balancer's prior estimate is 30 ms). Far above what a
      // loaded 2-core machine adds to the fast one now and then: a fast answer delayed past the slow
      // one's estimate would (rightly, peak-sensitive, 10 s decay) send traffic back to the slow one.
      if (name === 'slow') setTimeout(() => res.end(name), 250);
      else res.end(name);
    });
    const policy = `    load_balancing_policy:
      policies:
      - typed_extension_config:
          name: weft.load_balancing_policies.peak_ewma
          typed_config: { "@type": type.googleapis.com/google.protobuf.Struct, value: { choice_count: 2 } }`;
    const px = await proxy(bootstrap(routeTo('ewma'), cluster('ewma', eps.map((u) => ({ port: u.port })), policy)));
    const counts = tally(await served(px.port('out'), 100, () => ({}), 1));
    // Round robin would give the slow endpoint 50; after one slow answer it loses every comparison.
    expect(counts.slow ?? 0).toBeLessThanOrEqual(10);
    expect(counts.fast).toBeGreaterThanOrEqual(90);
  });

  it('an endpoint with health_status UNHEALTHY gets no traffic', async () => {
    const [ok1, sick, ok2] = await upstreams(['ok1', 'sick', 'ok2']);
    const endpoints = [{ port: ok1.port }, { port: sick.port, health: 'UNHEALTHY' }, { port: ok2.port, health: 'HEALTHY' }];
    const px = await proxy(bootstrap(routeTo('h'), cluster('h', endpoints, '    lb_policy: ROUND_ROBIN')));
    expect(tally(await served(px.port('out'), 60))).toEqual({ ok1: 30, ok2: 30 });
    expect(sick.seen).toHaveLength(0);
  });

  it('no healthy endpoint: 503 with flag UH', async () => {
    const [sick] = await upstreams(['sick']);
    const px = await proxy(bootstrap(routeTo('none'), cluster('none', [{ port: sick.port, health: 'UNHEALTHY' }])));
    const r = await get(px.port('out'), '/', { host: 'svc' });
    expect(r.status).toBe(503);
    expect(r.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_NO_HEALTHY_UPSTREAM: no healthy upstream in cluster none/);
    expect(sick.seen).toHaveLength(0);
    const metrics = await (await request(`http://127.0.0.1:${px.adminPort}/stats/prometheus`)).body.text();
    expect(metrics).toMatch(/istio_requests_total\{[^}]*response_code="503"[^}]*response_flags="UH"[^}]*\} 1\n/);
  });
});

async function activeOf(px: RunningProxy, cluster: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${px.adminPort}/clusters`);
  const dump = (await res.body.json()) as { name: string; hosts: { activeRequests: number }[] }[];
  return (dump.find((c) => c.name === cluster)?.hosts ?? []).reduce((s, h) => s + h.activeRequests, 0);
}

/**
 * 400 keys over 3 endpoints, each key twice (it must stick); then a 4th endpoint joins through
 * POST /config and the keys are sent again. About 1/4 move — binomial spread over 400 keys plus the
 * new endpoint's share of the ring/table, so ±0.10 is over 4 standard deviations — and, for the
 * ring, every key that moves goes to the new endpoint.
 */
async function consistentHashScenario(policy: 'RING_HASH' | 'MAGLEV'): Promise<void> {
  const eps = await upstreams(['e1', 'e2', 'e3', 'e4']);
  const yaml = (n: number): string =>
    bootstrap(routeTo('ch', HASH_ON_USER), cluster('ch', eps.slice(0, n).map((u) => ({ port: u.port })), `    lb_policy: ${policy}`));
  const px = await proxy(yaml(3));
  const port = px.port('out');
  const user = (i: number): Record<string, string> => ({ 'x-user': `user-${i}` });
  const before = await served(port, 400, user);
  expect(await served(port, 400, user)).toEqual(before);
  expect(eps[3].seen).toHaveLength(0);

  await postConfig(px, yaml(4));
  const after = await served(port, 400, user);
  const moved = after.filter((e, i) => e !== before[i]);
  expect(Math.abs(moved.length / 400 - 0.25)).toBeLessThanOrEqual(0.1);
  const toNew = moved.filter((e) => e === 'e4').length;
  if (policy === 'RING_HASH') expect(toNew).toBe(moved.length);
  // Maglev's table rebuild may also reshuffle a few keys among the old endpoints (its paper: ~1–2 %).
  else expect(moved.length - toNew).toBeLessThanOrEqual(400 * 0.05);
  // And it sticks again.
  expect(await served(port, 400, user)).toEqual(after);
}
