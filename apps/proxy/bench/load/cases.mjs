// The benchmark cases: one upstream (nginx `return 200`) and, in front of it, haproxy, nginx, the
// Weft proxy, a haproxy→haproxy pair and a Weft→Weft pair. Each proxy is one process with one
// worker thread / event loop; all are started once and measured in interleaved rounds.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { proxyHaproxy, proxyNginx, REQUEST_PATH, ROUTE_HOST, upstreamNginx, weftBootstrap } from './configs.mjs';
import { freePort, probe, start, waitReady } from './processes.mjs';

function startNginx(tools, dir, name, conf) {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, conf);
  return start(name, tools.nginx, ['-p', dir, '-e', join(dir, `${name}.error.log`), '-c', file], join(dir, `${name}.out.log`));
}

/** The upstream every case is measured against (nginx `return 200` on a free port), started and ready. */
export async function startUpstream(tools, dir) {
  const port = await freePort();
  const proc = startNginx(tools, dir, 'upstream', upstreamNginx(dir, port));
  await waitReady('upstream', port, ROUTE_HOST, REQUEST_PATH, [proc]);
  return { proc, port };
}

function startHaproxy(tools, dir, name, port, upstreamPort) {
  const file = join(dir, `${name}.cfg`);
  writeFileSync(file, proxyHaproxy(port, upstreamPort));
  // `log stdout`: haproxy's access log is its standard output, appended to this file.
  return start(name, tools.haproxy, ['-db', '-f', file], join(dir, `${name}.access.log`));
}

/** The Weft proxy from its built bin; `nodeArgs` e.g. --cpu-prof. */
export function startWeft(root, dir, name, port, upstreamPort, { direction = 'OUTBOUND', nodeArgs = [], bin = 'apps/proxy/bin/weft-proxy.js' } = {}) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, weftBootstrap(port, upstreamPort, direction));
  bin = resolve(root, bin);
  const args = [...nodeArgs, bin, '--config', file, '--access-log', join(dir, `${name}.access.log`)];
  args.push('--admin-port', '0', '--log-level', 'warn', '--service', name, '--drain-timeout-ms', '500');
  return start(name, process.execPath, args, join(dir, `${name}.out.log`));
}

/** Fails unless the entry routes Host + prefix (200) and rejects another host (404). */
export async function checkRouting(name, port, procs) {
  await waitReady(name, port, ROUTE_HOST, REQUEST_PATH, procs);
  const other = await probe(port, 'other.local', REQUEST_PATH);
  if (other !== 404) throw new Error(`${name}: expected 404 for an unknown host, got ${other} — is routing on?`);
}

/**
 * Starts every process; returns the cases by name: the port load is sent to, the proxy processes
 * (CPU and RSS are theirs) and their access logs.
 */
export async function startCases(tools, root, dir) {
  if (!existsSync(join(root, 'apps/proxy/dist/main.js'))) throw new Error('apps/proxy/dist/main.js is missing: run `npx nx run proxy:build`');
  mkdirSync(dir, { recursive: true });
  const p = {};
  const { proc: upstream, port: up } = await startUpstream(tools, dir);
  p.up = up;
  for (const k of ['haproxy', 'nginx', 'weft', 'hpA', 'hpB', 'wpA', 'wpB']) p[k] = await freePort();

  const log = (n) => join(dir, `${n}.access.log`);
  const cases = {
    direct: { port: p.up, procs: [], logs: [] },
    haproxy: { port: p.haproxy, procs: [startHaproxy(tools, dir, 'haproxy', p.haproxy, p.up)], logs: [log('haproxy')] },
    nginx: { port: p.nginx, procs: [startNginx(tools, dir, 'nginx', proxyNginx(dir, 'nginx', p.nginx, p.up))], logs: [log('nginx')] },
    weft: { port: p.weft, procs: [startWeft(root, dir, 'weft', p.weft, p.up)], logs: [log('weft')] },
    'haproxy-pair': {
      port: p.hpA,
      procs: [startHaproxy(tools, dir, 'haproxy-a', p.hpA, p.hpB), startHaproxy(tools, dir, 'haproxy-b', p.hpB, p.up)],
      logs: [log('haproxy-a'), log('haproxy-b')],
    },
    'weft-pair': {
      port: p.wpA,
      procs: [startWeft(root, dir, 'weft-a', p.wpA, p.wpB), startWeft(root, dir, 'weft-b', p.wpB, p.up, { direction: 'INBOUND' })],
      logs: [log('weft-a'), log('weft-b')],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    if (name === 'direct') continue;
    await checkRouting(name, c.port, [upstream, ...c.procs]);
  }
  return { cases, upstream, upstreamPort: p.up };
}
