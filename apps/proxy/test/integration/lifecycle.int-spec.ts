import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { Agent, request } from 'undici';
import { Collector, waitFor, withDeadline } from '@weft/testing';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';
import { metricSum } from './prom-text';

/**
 * Config swaps, listener removal and drain while traffic flows: no request in flight is lost, a
 * rejected config changes nothing.
 */

/** A latch the test opens: upstream handlers wait on it to hold responses in flight. */
class Gate {
  private release: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

function vhostTo(clusterName: string): string {
  return `
            - name: svc
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: ${clusterName} }`;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function adminPost(adminPort: number, path: string, body = ''): Promise<{ status: number; body: string }> {
  const res = await request(`http://127.0.0.1:${adminPort}${path}`, { method: 'POST', body });
  return { status: res.statusCode, body: await res.body.text() };
}

async function adminGet(adminPort: number, path: string): Promise<{ status: number; body: string }> {
  const res = await request(`http://127.0.0.1:${adminPort}${path}`);
  return { status: res.statusCode, body: await res.body.text() };
}

describe('config swaps under load', () => {
  let a: Upstream;
  let b: Upstream;
  let px: RunningProxy;
  const configTo = (target: 'a' | 'b', extraListener: boolean): string =>
    bootstrap(
      // A listener that needs binding comes first: while it binds, 'out' still runs the previous routes.
      (extraListener ? httpListener('extra', vhostTo(target)) : '') + httpListener('out', vhostTo(target)),
      // The cluster the route left is removed from the config altogether.
      target === 'a' ? cluster('a', [a.port]) : cluster('b', [b.port]),
    );

  beforeAll(async () => {
    a = await startUpstream('a');
    b = await startUpstream('b');
    px = await startProxy(configTo('a', false));
  });
  afterAll(async () => {
    await px.close();
    await a.close();
    await b.close();
  });

  it('moves a route between clusters 6 times under continuous keep-alive traffic without a failed request', async () => {
    const port = px.port('out');
    const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
    const results = new Collector<{ status: number; body: string } | { error: string }>();
    let stop = false;
    const loop = async (): Promise<void> => {
      while (!stop) {
        try {
          const res = await request(`http://127.0.0.1:${port}/load`, { dispatcher: agent });
          results.push({ status: res.statusCode, body: await res.body.text() });
        } catch (err) {
          results.push({ error: (err as Error).message });
        }
      }
    };
    const loops = Array.from({ length: 8 }, () => loop());
    try {
      for (let i = 1; i <= 6; i++) {
        const target = i % 2 === 0 ? 'a' : 'b';
        const yaml = configTo(target, i % 3 === 0);
        if (i % 2 === 0) expect((await adminPost(px.adminPort, '/config', yaml)).status).toBe(200);
        else await px.proxy.applyConfig(yaml);
        const from = results.items.length;
        await results.until((items) => items.slice(from).filter((r) => 'body' in r && r.body === target).length >= 20, {
          what: `20 responses from ${target} after swap ${i}`,
        });
      }
    } finally {
      stop = true;
      await Promise.all(loops);
      await agent.close();
    }
    const failed = results.items.filter((r) => !('status' in r) || r.status !== 200);
    expect(failed).toEqual([]);
    expect(results.items.length).toBeGreaterThan(120);
    // The final config routes to a: once it was applied, b saw no new request.
    const bSeen = b.seen.length;
    expect((await get(port, '/after')).body).toBe('a');
    expect(b.seen.length).toBe(bSeen);
  }, 20_000);

  it('rejects a bad config posted to the admin with 400 naming the field, and keeps serving the last good one', async () => {
    const port = px.port('out');
    const version = px.proxy.configVersion;
    const rejectionsBefore = metricSum(await px.proxy.metricsText(), 'weft_proxy_config_rejections_total');
    const bad = bootstrap(httpListener('out', vhostTo('b')), cluster('b', [b.port]).replace(/port_value: \d+/, 'port_value: "not-a-port"'));
    const res = await adminPost(px.adminPort, '/config', bad);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { error: string; code: string; path: string };
    expect(body.code).toBe('WEFT_ERR_PROXY_CONFIG');
    expect(body.path).toBe('static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value');
    expect(body.error).toContain('port_value');
    expect(px.proxy.configVersion).toBe(version);
    expect((await get(port, '/still')).body).toBe('a');
    expect(metricSum(await px.proxy.metricsText(), 'weft_proxy_config_rejections_total')).toBe(rejectionsBefore + 1);
  });

  it('rejects a config whose new listener cannot bind, changing nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const version = px.proxy.configVersion;
      const listeners = [...px.proxy.ports.keys()];
      const yaml = bootstrap(
        httpListener('out', vhostTo('b')) + httpListener('blocked', vhostTo('b')).replace('port_value: 0', `port_value: ${taken}`),
        cluster('b', [b.port]),
      );
      await expect(px.proxy.applyConfig(yaml)).rejects.toThrow(/EADDRINUSE/);
      expect(px.proxy.configVersion).toBe(version);
      expect([...px.proxy.ports.keys()]).toEqual(listeners);
      // Still the old route and the old cluster: nothing of the rejected config was applied.
      expect((await get(px.port('out'), '/unchanged')).body).toBe('a');
      const clusters = JSON.parse((await adminGet(px.adminPort, '/clusters')).body) as { name: string }[];
      expect(clusters.map((c) => c.name)).toEqual(['a']);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});

describe('removing a listener', () => {
  let up: Upstream;
  let px: RunningProxy;
  const gate = new Gate();
  const arrived = new Collector<string>();

  beforeAll(async () => {
    up = await startUpstream('up', (req, res) => {
      arrived.push(req.url ?? '');
      if (req.url === '/held') void gate.opened.then(() => res.end('held done'));
      else res.end('up');
    });
  });
  afterAll(async () => {
    gate.open();
    await px.close();
    await up.close();
  });

  it('stops accepting on a removed listener while its in-flight request finishes', async () => {
    const two = bootstrap(httpListener('out', vhostTo('up')) + httpListener('old', vhostTo('up')), cluster('up', [up.port]));
    px = await startProxy(two);
    const oldPort = px.port('old');
    const held = get(oldPort, '/held');
    await arrived.until((u) => u.includes('/held'), { what: 'the held request to reach the upstream' });
    await px.proxy.applyConfig(bootstrap(httpListener('out', vhostTo('up')), cluster('up', [up.port])));
    expect([...px.proxy.ports.keys()]).toEqual(['out']);
    await waitFor(() => refused(oldPort), { what: `port ${oldPort} to refuse connections` });
    expect((await get(px.port('out'), '/other')).body).toBe('up');
    gate.open();
    const r = await withDeadline(held, 5000, 'the held request to finish');
    expect([r.status, r.body]).toEqual([200, 'held done']);
  });
});

describe('drain', () => {
  let up: Upstream;
  let px: RunningProxy;
  const gate = new Gate();
  const arrived = new Collector<string>();

  beforeAll(async () => {
    up = await startUpstream('up', (req, res) => {
      arrived.push(req.url ?? '');
      void gate.opened.then(() => res.end(`done ${req.url}`));
    });
    px = await startProxy(bootstrap(httpListener('out', vhostTo('up')), cluster('up', [up.port])));
  });
  afterAll(async () => {
    gate.open();
    await px.close();
    await up.close();
  });

  it('finishes in-flight requests, refuses new connections and reports not ready', async () => {
    const port = px.port('out');
    expect((await adminGet(px.adminPort, '/ready')).status).toBe(200);
    const agent = new Agent({ connections: 3 });
    const inFlight = [1, 2, 3].map((i) =>
      request(`http://127.0.0.1:${port}/r${i}`, { dispatcher: agent }).then(async (r) => [r.statusCode, r.headers['connection'], await r.body.text()]),
    );
    await arrived.count(3, { what: '3 requests held at the upstream' });
    expect((await adminPost(px.adminPort, '/drain')).status).toBe(200);
    await waitFor(() => refused(port), { what: 'the listener to refuse new connections' });
    expect((await adminGet(px.adminPort, '/ready')).status).toBe(503);
    gate.open();
    // Each finishes, announcing that its connection closes (clients do not reuse a draining one).
    expect(await withDeadline(Promise.all(inFlight), 5000, 'the in-flight requests')).toEqual([
      [200, 'close', 'done /r1'],
      [200, 'close', 'done /r2'],
      [200, 'close', 'done /r3'],
    ]);
    await agent.close();
  });
});
