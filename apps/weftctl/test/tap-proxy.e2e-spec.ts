import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestInfra, startProcess, waitFor, withDeadline, type TestInfra, type TestProcess } from '@weft/testing';
import { startTelemetryProcess } from './telemetry-process';

/**
 * `weftctl tap` and `weftctl stat` end to end, every piece a real process as users run it: the built
 * weftctl bin, a weft-telemetry replica and a weft-proxy sidecar (its outbound listener in front of a
 * small HTTP app standing for "reviews") over the real NATS and Redis.
 */
const APPS = resolve(__dirname, '..', '..');
const BIN = {
  weftctl: join(APPS, 'weftctl/bin/weftctl.js'),
  proxy: join(APPS, 'proxy/bin/weft-proxy.js'),
};
const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local';

function bootstrap(appPort: number): string {
  return `static_resources:
  listeners:
  - name: outbound
    traffic_direction: OUTBOUND
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: outbound
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          route_config:
            name: outbound
            virtual_hosts:
            - name: reviews
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: "${REVIEWS}" }
  clusters:
  - name: ${REVIEWS}
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: ${REVIEWS}
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${appPort} } } }
`;
}

/** One GET through the sidecar with the Host a caller of reviews sends (fetch may not set Host). */
function call(port: number, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: 'reviews:9080' } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end();
  });
}

function weftctl(args: string[], env: Record<string, string>): { done: Promise<{ code: number | null; out: string; err: string }>; exited: () => boolean } {
  const child = spawn(process.execPath, [BIN.weftctl, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let finished = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      finished = true;
      ok({ code, out, err });
    });
  });
  return { done, exited: () => finished };
}

describe('weftctl tap against a real weft-proxy and weft-telemetry', () => {
  let infra: TestInfra;
  let app: Server;
  let telemetry: TestProcess;
  let proxy: TestProcess;
  let outbound: number;
  let dir: string;
  let env: Record<string, string>;

  /** Calls through the sidecar, back to back, until `stop()` holds (bounded by a deadline). */
  async function trafficUntil(stop: () => boolean, paths: readonly string[]): Promise<number> {
    let sent = 0;
    const deadline = Date.now() + 20_000;
    while (!stop()) {
      if (Date.now() > deadline) throw new Error(`no end after ${sent} requests through the proxy`);
      await call(outbound, paths[sent % paths.length] ?? '/');
      sent++;
    }
    return sent;
  }

  beforeAll(async () => {
    infra = await createTestInfra('weftctl-tap');
    app = createServer((req, res) => {
      res.statusCode = req.url === '/fail' ? 503 : 200;
      res.end('reviews');
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    dir = await mkdtemp(join(tmpdir(), 'weftctl-tap-'));
    const config = join(dir, 'productpage.yaml');
    await writeFile(config, bootstrap((app.address() as AddressInfo).port));
    const t = await startTelemetryProcess(infra);
    telemetry = t.proc;
    env = { WEFT_TELEMETRY_URL: t.url };
    const p = await startProcess({
      name: 'proxy',
      command: process.execPath,
      args: [
        BIN.proxy,
        '--config', config,
        '--service', 'productpage',
        '--namespace', 'default',
        '--labels', 'version=v1',
        '--admin-port', '0',
        '--access-log', 'off',
        '--nats', infra.natsUrl,
        '--subject-prefix', infra.subjectPrefix,
        '--telemetry-interval-ms', '200',
      ],
      env: { WEFT_PROXY_LOG_LEVEL: 'info' },
      ready: (l) => l['msg'] === 'proxy ready',
    });
    proxy = p.proc;
    outbound = Number((p.readyLog['listeners'] as Record<string, number>)['outbound']);
  });

  afterAll(async () => {
    await proxy?.kill('SIGTERM');
    await telemetry?.kill('SIGTERM');
    await new Promise((r) => app?.close(r));
    await infra?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('tap prints the requests the proxy sees while it watches, and stops at --max', async () => {
    const json = weftctl(['tap', 'reviews', '-n', 'default', '--max', '4', '-o', 'json'], env);
    await trafficUntil(json.exited, ['/reviews/1', '/fail']);
    const res = await withDeadline(json.done, 10_000, 'weftctl tap to end');
    expect(res.code).toBe(0);
    const lines = res.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(l).toMatchObject({
        reporter: 'source',
        method: 'GET',
        source: { workload: 'productpage-v1', namespace: 'default' },
        destination: { service: 'reviews', namespace: 'default' },
      });
    }
    expect(new Set(lines.map((l) => `${String(l['path'])} ${String(l['status'])}`))).toEqual(new Set(['/reviews/1 200', '/fail 503']));

    const table = weftctl(['tap', 'reviews', '--max', '1'], env);
    await trafficUntil(table.exited, ['/reviews/2']);
    const text = await withDeadline(table.done, 10_000, 'weftctl tap to end');
    expect(text.out.trim()).toMatch(/^req proxy=out src=productpage-v1\.default dst=reviews\.default tls=false :method=GET :authority=reviews:9080 :path=\/reviews\/2 :status=200 latency=\d+(\.\d)?ms( trace=[0-9a-f]{32})?$/);
  });

  it("stat shows the proxy's reports as they reach telemetry", async () => {
    const rows = await waitFor(
      async () => {
        const res = await withDeadline(weftctl(['stat', 'svc', 'reviews', '-o', 'json'], env).done, 10_000, 'weftctl stat');
        const parsed = JSON.parse(res.out) as { service: string; requests: number; successRate: number }[];
        return parsed.length === 1 && (parsed[0]?.requests ?? 0) >= 5 ? parsed : false;
      },
      { what: 'the proxied requests in weftctl stat', timeoutMs: 20_000 },
    );
    expect(rows[0]?.service).toBe('reviews');
    expect(rows[0]?.successRate).toBeGreaterThan(0);
    expect(rows[0]?.successRate).toBeLessThan(1);
  });
});
