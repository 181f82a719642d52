import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { Collector, startProcess, waitFor, withDeadline, type TestProcess } from '@weft/testing';

/**
 * weft-proxy as users run it: the built bin with a bootstrap file, driven over real sockets; SIGHUP
 * reloads the edited file, SIGTERM drains (requests in flight finish) and exits 0.
 */
const BIN = join(__dirname, '..', '..', 'bin', 'weft-proxy.js');
const DIST = join(__dirname, '..', '..', 'dist', 'main.js');

function bootstrapYaml(body: string, port: number): string {
  return `static_resources:
  listeners:
  - name: out
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: out
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          route_config:
            name: out
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: { path: /version }
                direct_response: { status: 200, body: { inline_string: "${body}" } }
              - match: { prefix: / }
                route: { cluster: app, timeout: 0s }
  clusters:
  - name: app
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: app
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } }
`;
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

describe('weft-proxy process (end to end)', () => {
  let dir: string;
  let configFile: string;
  let accessLog: string;
  let app: Server;
  let appPort: number;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const appRequests = new Collector<string>();
  let proc: TestProcess;
  let port: number;
  let adminPort: number;
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });

  const send = async (path: string): Promise<{ status: number; body: string }> => {
    const res = await request(`http://127.0.0.1:${port}${path}`, { dispatcher: agent });
    return { status: res.statusCode, body: await res.body.text() };
  };

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npx nx run proxy:build)`);
    dir = mkdtempSync(join(tmpdir(), 'weft-proxy-e2e-'));
    app = createServer((req: IncomingMessage, res: ServerResponse) => {
      appRequests.push(req.url ?? '');
      if (req.url?.startsWith('/held') === true) void gate.then(() => res.end(`held ${req.url}`));
      else res.end(`app ${req.url}`);
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appPort = (app.address() as AddressInfo).port;
    configFile = join(dir, 'bootstrap.yaml');
    accessLog = join(dir, 'access.log');
    writeFileSync(configFile, bootstrapYaml('v1', appPort));
    const started = await startProcess({
      name: 'weft-proxy',
      command: process.execPath,
      args: [BIN, '--config', configFile, '--admin-port', '0', '--access-log', accessLog, '--drain-timeout-ms', '10000', '--service', 'e2e'],
      env: {},
      ready: (log) => log['msg'] === 'proxy ready',
    });
    proc = started.proc;
    port = (started.readyLog['listeners'] as Record<string, number>)['out'];
    adminPort = started.readyLog['admin'] as number;
  }, 20_000);

  afterAll(async () => {
    release();
    await proc?.kill('SIGKILL');
    await agent.close();
    app.closeAllConnections();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs its listener and admin ports when ready and proxies traffic', async () => {
    expect(port).toBeGreaterThan(0);
    expect(adminPort).toBeGreaterThan(0);
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`/r${i}`)));
    expect(rs.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(rs.map((r) => r.body)).toContain('app /r7');
    expect(await send('/version')).toEqual({ status: 200, body: 'v1' });
    const ready = await request(`http://127.0.0.1:${adminPort}/ready`);
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();
  });

  it('reloads the edited bootstrap on SIGHUP, and keeps the last good one when the edit is bad', async () => {
    writeFileSync(configFile, bootstrapYaml('v2', appPort));
    const before = proc.logs.length;
    proc.child.kill('SIGHUP');
    await waitFor(() => proc.logs.slice(before).some((l) => l['msg'] === 'config reloaded on SIGHUP'), { what: 'the SIGHUP reload log' });
    expect(await send('/version')).toEqual({ status: 200, body: 'v2' });

    writeFileSync(configFile, bootstrapYaml('v3', appPort).replace('type: STATIC', 'type: NOPE'));
    const mark = proc.logs.length;
    proc.child.kill('SIGHUP');
    const rejected = await waitFor(() => proc.logs.slice(mark).find((l) => l['msg'] === 'config rejected; keeping the last good one'), {
      what: 'the rejected reload log',
    });
    expect(String(rejected['err'])).toMatch(/bootstrap\.yaml: static_resources\.clusters\[0\]\.type: /);
    expect(await send('/version')).toEqual({ status: 200, body: 'v2' });
  });

  it('writes the access log while it runs (a user tailing it sees a request within about a second)', async () => {
    expect(await send('/tail-me')).toEqual({ status: 200, body: 'app /tail-me' });
    const line = await waitFor(
      () => readFileSync(accessLog, 'utf8').split('\n').find((l) => l.includes('"path":"/tail-me"')),
      { what: 'the /tail-me access-log line in the file' },
    );
    expect(JSON.parse(line)).toMatchObject({ msg: 'access', method: 'GET', path: '/tail-me', status: 200, upstreamCluster: 'app', flags: '-' });
  });

  it('drains on SIGTERM: requests in flight finish with 200, new connections are refused, exit 0', async () => {
    const held = Array.from({ length: 5 }, (_, i) => send(`/held/${i}`));
    await appRequests.until((u) => u.filter((x) => x.startsWith('/held/')).length === 5, { what: '5 requests held at the app' });
    proc.child.kill('SIGTERM');
    await waitFor(() => proc.logs.some((l) => l['msg'] === 'draining'), { what: 'the draining log' });
    await waitFor(() => refused(port), { what: 'the listener to refuse new connections' });
    release();
    const results = await withDeadline(Promise.all(held), 10_000, 'the held requests');
    expect(results).toEqual(Array.from({ length: 5 }, (_, i) => ({ status: 200, body: `held /held/${i}` })));
    expect(await withDeadline(proc.exited, 10_000, 'the process to exit')).toBe(0);
    // Nothing of the access log is lost at exit: one record per request, the drained ones included.
    const records = readFileSync(accessLog, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { path: string; status: number; upstreamCluster: string | null });
    expect(records.filter((r) => r.path.startsWith('/held/')).map((r) => [r.path, r.status, r.upstreamCluster]).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => [`/held/${i}`, 200, 'app']),
    );
    expect(records.filter((r) => /^\/r\d+$/.test(r.path))).toHaveLength(20);
  }, 20_000);
});

describe('weft-proxy command line', () => {
  it('--help prints the flags and exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const flag of ['--config', '--admin-port', '--app-port', '--access-log', '--drain-timeout-ms', '--log-level']) expect(r.stdout).toContain(flag);
  });

  it('exits 1 naming the listener when its port is taken, with the access log file not yet open (no crash at exit)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-proxy-busy-'));
    const busy = createNetServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const taken = (busy.address() as AddressInfo).port;
      const file = join(dir, 'busy.yaml');
      writeFileSync(file, bootstrapYaml('x', 1).replace('port_value: 0', `port_value: ${taken}`));
      const args = [BIN, '--config', file, '--admin-port', '0', '--access-log', join(dir, 'access.log')];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 15_000 });
      expect(r.status).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toContain(`listener out: listen EADDRINUSE: address already in use 127.0.0.1:${taken}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero with file, field path and reason for a bad bootstrap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-proxy-bad-'));
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(file, bootstrapYaml('x', 1).replace('connect_timeout: 1s', 'connect_timeout: soon'));
      const r = spawnSync(process.execPath, [BIN, '--config', file, '--admin-port', '0'], { encoding: 'utf8', timeout: 15_000 });
      expect(r.status).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(/broken\.yaml: static_resources\.clusters\[0\]\.connect_timeout: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with the usage for an unknown flag', () => {
    const r = spawnSync(process.execPath, [BIN, '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stderr).toContain('Usage: weft-proxy');
  });
});
