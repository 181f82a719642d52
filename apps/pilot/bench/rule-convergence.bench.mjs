#!/usr/bin/env node
// Rule convergence under load (not a test): registry + pilot + one weft-proxy as real processes, two
// versions of a service behind the proxy, requests flowing at a steady concurrency. Each round applies
// a VirtualService that moves ALL traffic to the other version (REST POST /v1/rules, what weftctl does)
// and measures the time from the write until every response comes from the new version (the last
// old-version response seen), plus failed requests. Baseline, same run: the same switch made by the
// registry instead (deregister the old version's instance → EDS fast path), i.e. pilot's floor for
// a change that needs no route regeneration.
//
//   node apps/pilot/bench/rule-convergence.bench.mjs        (after `npx nx run-many -t build`)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureServers } from '../../../scripts/servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const ROUNDS = Number(process.env.WEFT_BENCH_ROUNDS ?? 10);
const CONCURRENCY = Number(process.env.WEFT_BENCH_CONCURRENCY ?? 8);
const prefix = `bench${process.pid}`;

function start(name, bin, args, env, readyMsg) {
  const child = spawn(process.execPath, [join(root, bin), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready`)), 30000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const log = JSON.parse(line);
        if (log.msg === readyMsg) {
          clearTimeout(timer);
          resolve({ child, log });
        }
      } catch { /* not JSON */ }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
}

function app(version) {
  const server = http.createServer((req, res) => res.end(version));
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: server.address().port })));
}

async function call(base, method, path, body, type = 'application/json') {
  const init = body === undefined ? { method } : { method, headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) };
  const res = await fetch(`${base}${path}`, init);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const rule = (to) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec: { host: echo, subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }] }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http: [{ route: [{ destination: { host: echo${to === null ? '' : `, subset: ${to}`} } }] }]
`;

const servers = await ensureServers();
const env = { NATS_URL: servers.natsUrl, REDIS_URL: servers.redisUrl, WEFT_REDIS_PREFIX: `${prefix}:`, WEFT_SUBJECT_PREFIX: `${prefix}.`, WEFT_LOG_LEVEL: 'warn' };
const procs = [];
try {
  const registry = await start('registry', 'apps/registry/bin/weft-registry.js', [], { ...env, WEFT_LOG_LEVEL: 'info', WEFT_REGISTRY_HTTP_PORT: '0', WEFT_REGISTRY_GRPC_PORT: '0' }, 'registry ready');
  procs.push(registry.child);
  const regBase = `http://127.0.0.1:${registry.log.httpPort}`;
  const pilot = await start('pilot', 'apps/pilot/bin/weft-pilot.js', [], { ...env, WEFT_LOG_LEVEL: 'info', WEFT_PILOT_XDS_PORT: '0', WEFT_PILOT_HTTP_PORT: '0' }, 'pilot ready');
  procs.push(pilot.child);
  const pilotBase = `http://127.0.0.1:${pilot.log.httpPort}`;
  const apps = { v1: await app('v1'), v2: await app('v2') };
  await call(regBase, 'PUT', '/v1/namespaces/default/services/echo', { namespace: 'default', name: 'echo', ports: [{ name: 'http', number: 8080, protocol: 'http' }] });
  const register = (v) => call(regBase, 'POST', '/v1/namespaces/default/services/echo/instances', { id: `echo-${v}`, address: '127.0.0.1', ports: { http: apps[v].port }, labels: { version: v }, ttlSeconds: null });
  await register('v1');
  await register('v2');
  await call(pilotBase, 'POST', '/v1/rules', rule('v1'), 'application/yaml');
  const dir = mkdtempSync(join(tmpdir(), 'weft-conv-'));
  const proxy = await start('proxy', 'apps/proxy/bin/weft-proxy.js', ['--xds', `127.0.0.1:${pilot.log.xdsPort}`, '--service', 'client', '--admin-port', '0', '--outbound-port', '0', '--access-log', 'off', '--xds-cache', join(dir, 'c.json'), '--log-level', 'info'], {}, 'proxy ready');
  procs.push(proxy.child);
  const port = proxy.log.listeners.outbound;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const seen = [];
  let running = true;
  const get = () => new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers: { host: 'echo:8080' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : `status ${res.statusCode}`));
    });
    req.on('error', (e) => resolve(`error ${e.message}`));
  });
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (running) seen.push({ at: performance.now(), v: await get() });
  });
  const waitAll = async (v, since) => {
    for (;;) {
      const recent = seen.filter((s) => s.at > since);
      if (recent.length > 50 && recent.slice(-50).every((s) => s.v === v)) {
        const lastOther = recent.filter((s) => s.v !== v && !s.v.startsWith('status') && !s.v.startsWith('error')).pop();
        return lastOther === undefined ? 0 : lastOther.at - since;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await waitAll('v1', 0);
  const failedSince = (t) => seen.filter((s) => s.at > t && (s.v.startsWith('status') || s.v.startsWith('error'))).length;
  const ruleStart = performance.now();
  const ruleTimes = [];
  const edsTimes = [];
  let current = 'v1';
  for (let i = 0; i < ROUNDS; i++) {
    const next = current === 'v1' ? 'v2' : 'v1';
    const t0 = performance.now();
    await call(pilotBase, 'POST', '/v1/rules', rule(next), 'application/yaml');
    ruleTimes.push(await waitAll(next, t0));
    current = next;
  }
  const ruleFailures = failedSince(ruleStart);
  // Baseline: the rule points at the whole service; the switch is a registry change (EDS only).
  await call(pilotBase, 'POST', '/v1/rules', rule(null), 'application/yaml');
  await call(regBase, 'DELETE', '/v1/namespaces/default/services/echo/instances/echo-v2');
  await waitAll('v1', performance.now());
  for (let i = 0; i < ROUNDS; i++) {
    const [on, off] = i % 2 === 0 ? ['v2', 'v1'] : ['v1', 'v2'];
    const registered = performance.now();
    await register(on);
    // Make before break: the new instance serves before the old one leaves.
    while (!seen.some((s) => s.at > registered && s.v === on)) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await call(regBase, 'DELETE', `/v1/namespaces/default/services/echo/instances/echo-${off}`);
    edsTimes.push(await waitAll(on, t0));
  }
  const edsFailures = failedSince(ruleStart) - ruleFailures;
  running = false;
  await Promise.all(workers);
  const stat = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
  };
  const r = stat(ruleTimes);
  const e = stat(edsTimes);
  console.log(`rule convergence under load (${CONCURRENCY} concurrent requests, ${ROUNDS} switches each, ${seen.length} requests):`);
  console.log(`  VirtualService switch (weftctl apply → last old-version response): p50 ${r.p50.toFixed(0)} ms, max ${r.max.toFixed(0)} ms, ${ruleFailures} failed requests`);
  console.log(`  baseline, registry switch (deregister → last old-version response, EDS fast path): p50 ${e.p50.toFixed(0)} ms, max ${e.max.toFixed(0)} ms, ${edsFailures} failed requests`);
  console.log(`  ratio rule/registry p50 ${(r.p50 / e.p50).toFixed(2)}× · goal < 1 s: ${r.max < 1000 ? 'PASS' : 'MISS'}`);
} finally {
  for (const p of procs) p.kill('SIGKILL');
  await servers.stop?.();
}
process.exit(0);
