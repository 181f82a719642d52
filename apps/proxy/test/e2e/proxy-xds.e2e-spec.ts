import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startProcess, waitFor, type TestProcess } from '@weft/testing';
import { startUpstream, type Upstream } from '../integration/harness';
import { AdsTestServer, serveMesh } from '../integration/xds-harness';
import { clusterName, EDS } from '../integration/xds-resources';

/**
 * weft-proxy as users run it with --xds: the built bin against an ADS server; after a restart with the
 * server down it boots from its on-disk cache and serves.
 */
const BIN = join(__dirname, '..', '..', 'bin', 'weft-proxy.js');
const DIST = join(__dirname, '..', '..', 'dist', 'main.js');
const REVIEWS = clusterName('reviews');

describe('weft-proxy process with --xds (end to end)', () => {
  let dir: string;
  let cacheFile: string;
  let server: AdsTestServer;
  let app: Upstream;
  const procs: TestProcess[] = [];
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });

  const args = (): string[] =>
    ['--xds', server.address, '--xds-cache', cacheFile, '--node-id', 'sidecar~productpage~e2e', '--service', 'productpage']
      .concat(['--admin-port', '0', '--outbound-port', '0', '--access-log', 'off']);

  const start = async (ready: string): Promise<Record<string, unknown>> => {
    const started = await startProcess({ name: 'weft-proxy', command: process.execPath, args: [BIN, ...args()], env: {}, ready: (l) => l['msg'] === ready });
    procs.push(started.proc);
    return started.readyLog;
  };

  const send = async (port: number): Promise<{ status: number; body: string }> => {
    const res = await request(`http://127.0.0.1:${port}/reviews/1`, { headers: { host: 'reviews:9080' }, dispatcher: agent });
    return { status: res.statusCode, body: await res.body.text() };
  };

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npx nx run proxy:build)`);
    dir = mkdtempSync(join(tmpdir(), 'weft-proxy-xds-e2e-'));
    cacheFile = join(dir, 'xds-cache.json');
    app = await startUpstream('reviews-v1');
    server = await new AdsTestServer().start();
    serveMesh(server, 'reviews', [app.port], { vhost: true });
  });

  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    server.stop();
    await agent.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets its config from the server, serves it, and caches what it ACKed', async () => {
    const ready = await start('proxy ready');
    const port = (ready['listeners'] as Record<string, number>)['outbound'];
    expect(await send(port)).toEqual({ status: 200, body: 'reviews-v1' });
    const cached = await waitFor(() => (JSON.parse(readFileSync(cacheFile, 'utf8')) as { resources: Record<string, Record<string, unknown>> }).resources[EDS]?.[REVIEWS], {
      what: 'the endpoints in the cache file',
    });
    expect(cached).toMatchObject({ version: expect.any(String), bytes: expect.any(String) });
  });

  it('restarted while the server is down, boots from the cache and serves', async () => {
    server.stop();
    await procs[0].kill('SIGKILL');
    const ready = await start('proxy ready');
    const port = (ready['listeners'] as Record<string, number>)['outbound'];
    expect(procs[1].logs.some((l) => l['msg'] === 'xds cache restored')).toBe(true);
    expect(await send(port)).toEqual({ status: 200, body: 'reviews-v1' });
    const admin = ready['admin'] as number;
    const res = await request(`http://127.0.0.1:${admin}/ready`, { dispatcher: agent });
    expect([res.statusCode, await res.body.text()]).toEqual([200, 'LIVE\n']);
    await procs[1].kill('SIGTERM');
  });

  it('ignores a corrupt cache (logged) and waits for the server, not ready', async () => {
    writeFileSync(cacheFile, '{"format": "weft-proxy-xds-cache/1", "resources": 7');
    const started = await start('proxy started; waiting for xds config');
    await waitFor(() => procs[2].logs.find((l) => l['msg'] === 'xds cache is corrupt; ignored'), { what: 'the corrupt-cache log' });
    const res = await request(`http://127.0.0.1:${started['admin'] as number}/ready`, { dispatcher: agent });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
  });
});
