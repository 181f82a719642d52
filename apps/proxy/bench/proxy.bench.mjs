#!/usr/bin/env node
// Load benchmark of the Weft proxy against haproxy and nginx (issue "sidecar proxy", Must show).
//
//   npx nx run proxy:bench                 (bench depends on build)
//   npx nx run proxy:bench -- --profile    (adds a CPU profile of the single Weft proxy)
//
// Cases: direct (no proxy), haproxy, nginx, weft, haproxy→haproxy and weft→weft, all in front of
// the same nginx upstream, all routing on Host + prefix with round robin and access logs on. Rounds
// are interleaved (every case once per round, order rotated) and medians reported, because the
// machine's two cores are shared and noisy: speed is only meaningful as a ratio within a run.
//
// Environment: WEFT_BENCH_SECONDS (wrk run, 5), WEFT_BENCH_ROUNDS (3), WEFT_BENCH_LATENCY_SECONDS
// (fixed-rate run, 4), WEFT_BENCH_RATE (1000), WEFT_BENCH_H2LOAD (1; 0 skips the h2load cross-check),
// WEFT_BENCH_PROFILE (0; 1 = --profile), WEFT_BENCH_KEEP (0; 1 keeps tmp/bench-<pid>).
import { execFile } from 'node:child_process';
import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkRouting, startCases, startWeft } from './load/cases.mjs';
import { REQUEST_PATH, ROUTE_HOST } from './load/configs.mjs';
import { printProfile, summarizeProfile } from './load/cpu-profile.mjs';
import { freePort, killAllNow, memoryMb, cpuMicros, stop, stopAll } from './load/processes.mjs';
import { jsonSummary, median, printTable, summarize } from './load/report.mjs';
import { ensureTools, runH2load, runWrk, toolVersions } from './load/tools.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const env = (name, dflt) => Number(process.env[name] ?? dflt);
const OPTS = {
  seconds: env('WEFT_BENCH_SECONDS', 5),
  rounds: env('WEFT_BENCH_ROUNDS', 3),
  connections: 32,
  rate: env('WEFT_BENCH_RATE', 1000),
  latencyConnections: 10,
  latencySeconds: env('WEFT_BENCH_LATENCY_SECONDS', 4),
  h2load: process.env.WEFT_BENCH_H2LOAD !== '0',
  profile: process.argv.some((a) => a === '--profile' || a === '--profile=true') || process.env.WEFT_BENCH_PROFILE === '1',
  keep: process.env.WEFT_BENCH_KEEP === '1',
};
const DIR = join(ROOT, 'tmp', `bench-${process.pid}`);
const LATENCY_CASES = ['direct', 'haproxy', 'weft', 'haproxy-pair', 'weft-pair'];
const H2LOAD_CASES = new Set(['direct', 'haproxy-pair', 'weft-pair']);
const run = promisify(execFile);
const url = (port) => `http://127.0.0.1:${port}${REQUEST_PATH}`;
const rotate = (xs, r) => xs.map((_, i) => xs[(i + r) % xs.length]);

function cleanupSync() {
  killAllNow();
  if (!OPTS.keep) rmSync(DIR, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

const truncateLogs = (c) => c.logs.forEach((f) => truncateSync(f, 0));
// haproxy resets O_APPEND on its stdout, so after a truncate its file is sparse: count allocated bytes.
const fileBytes = (s) => Math.min(s.size, s.blocks * 512);
const logBytes = (c) => c.logs.reduce((a, f) => a + fileBytes(statSync(f)), 0);

/** One open-loop run at OPTS.rate (and the h2load cross-check); RSS of the proxies right after. */
async function latencyRun(name, c) {
  const args = [join(HERE, 'load/fixed-rate.mjs'), '--port', String(c.port), '--host', ROUTE_HOST, '--path', REQUEST_PATH];
  args.push('--rate', String(OPTS.rate), '--connections', String(OPTS.latencyConnections), '--seconds', String(OPTS.latencySeconds));
  const { stdout } = await run(process.execPath, args, { timeout: (OPTS.latencySeconds + 20) * 1000 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  const rss = c.procs.length === 0 ? NaN : Math.max(...c.procs.map((p) => memoryMb(p.pid).rss));
  let h2 = null;
  if (OPTS.h2load && H2LOAD_CASES.has(name)) {
    const opts = { connections: OPTS.latencyConnections, rate: OPTS.rate, seconds: OPTS.latencySeconds, warmupSeconds: 1 };
    h2 = await runH2load(tools.h2load, url(c.port), ROUTE_HOST, { ...opts, logFile: join(DIR, 'h2load.log') });
  }
  truncateLogs(c);
  return { r, rss, h2 };
}

/** One wrk run; CPU time of the proxy processes over it. */
async function throughputRun(c, seconds) {
  const before = c.procs.map((p) => cpuMicros(p.pid));
  const w = await runWrk(tools.wrk, url(c.port), ROUTE_HOST, { connections: OPTS.connections, seconds });
  const after = c.procs.map((p) => cpuMicros(p.pid));
  const user = after.reduce((a, x, i) => a + x.user - before[i].user, 0);
  const sys = after.reduce((a, x, i) => a + x.sys - before[i].sys, 0);
  const bytes = logBytes(c);
  truncateLogs(c);
  const perReq = (us) => (c.procs.length === 0 ? NaN : us / w.requests);
  return { ...w, cpuUsPerReq: perReq(user + sys), userUsPerReq: perReq(user), sysUsPerReq: perReq(sys), logBytesPerReq: bytes / w.requests };
}

async function latencyPhase(cases) {
  const l = Object.fromEntries(LATENCY_CASES.map((n) => [n, { p50: [], p99: [], serviceP50: [], serviceP99: [], h2P50: [], h2P99: [], rss: [] }]));
  for (let round = 0; round < OPTS.rounds; round++) {
    for (const name of rotate(LATENCY_CASES, round)) {
      const { r, rss, h2 } = await latencyRun(name, cases[name]);
      const o = l[name];
      o.p50.push(r.p50ms);
      o.p99.push(r.p99ms);
      o.serviceP50.push(r.serviceP50ms);
      o.serviceP99.push(r.serviceP99ms);
      o.h2P50.push(h2?.p50ms ?? NaN);
      o.h2P99.push(h2?.p99ms ?? NaN);
      o.rss.push(rss);
      const bad = r.non2xx + r.errors + r.lost + (h2?.non2xx ?? 0);
      const h2s = h2 === null ? '' : ` | h2load p50 ${h2.p50ms.toFixed(2)} p99 ${h2.p99ms.toFixed(2)} (${h2.count} req)`;
      console.log(
        `  latency r${round + 1} ${name.padEnd(12)} p50 ${r.p50ms.toFixed(2)} p99 ${r.p99ms.toFixed(2)} ms (svc ${r.serviceP50ms.toFixed(2)}/${r.serviceP99ms.toFixed(2)}, generator lag p99 ${r.dispatchLagP99ms.toFixed(2)})${h2s} rss ${Number.isFinite(rss) ? rss.toFixed(1) : '—'} MB${bad > 0 ? ` BAD ${bad}` : ''}`,
      );
    }
  }
  return l;
}

async function throughputPhase(cases) {
  const names = Object.keys(cases);
  for (const name of names) await throughputRun(cases[name], 1); // warm-up (JIT, pools), not recorded
  const t = Object.fromEntries(names.map((n) => [n, { rps: [], cpuUsPerReq: [], userUsPerReq: [], sysUsPerReq: [], errors: [], logBytesPerReq: [] }]));
  const failures = [];
  for (let round = 0; round < OPTS.rounds; round++) {
    for (const name of rotate(names, round)) {
      const w = await throughputRun(cases[name], OPTS.seconds);
      t[name].rps.push(w.rps);
      t[name].cpuUsPerReq.push(w.cpuUsPerReq);
      t[name].userUsPerReq.push(w.userUsPerReq);
      t[name].sysUsPerReq.push(w.sysUsPerReq);
      t[name].errors.push(w.non2xx + w.socketErrors);
      t[name].logBytesPerReq.push(w.logBytesPerReq);
      if (w.non2xx + w.socketErrors > 0) failures.push({ name, round, raw: w.raw });
      console.log(
        `  wrk     r${round + 1} ${name.padEnd(12)} ${w.rps.toFixed(0).padStart(6)} rps  CPU ${Number.isFinite(w.cpuUsPerReq) ? `${w.cpuUsPerReq.toFixed(1)} (usr ${w.userUsPerReq.toFixed(1)} sys ${w.sysUsPerReq.toFixed(1)})` : '—'} µs/req  p50 ${w.p50ms.toFixed(2)} p99 ${w.p99ms.toFixed(2)} ms  log ${w.logBytesPerReq.toFixed(0)} B/req${w.non2xx + w.socketErrors > 0 ? `  ERRORS non2xx ${w.non2xx} ${w.socketErrorText}` : ''}`,
      );
    }
  }
  return { t, failures };
}

async function profilePhase() {
  const port = await freePort();
  const proc = startWeft(ROOT, DIR, 'weft-profiled', port, upstreamPort, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(DIR, 'profile')}`] });
  await checkRouting('weft-profiled', port, [proc]);
  const c = { port, procs: [proc], logs: [join(DIR, 'weft-profiled.access.log')] };
  await throughputRun(c, 1);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const w = await throughputRun(c, OPTS.seconds);
  const window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
  await stop(proc, 5000);
  const files = readdirSync(join(DIR, 'profile')).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error('no .cpuprofile written (did the proxy exit cleanly on SIGTERM?)');
  console.log(`\nprofiled run: ${w.rps.toFixed(0)} rps, ${w.cpuUsPerReq.toFixed(1)} µs CPU/req (profiling slows it down)`);
  const summary = summarizeProfile(join(DIR, 'profile', files[0]), ROOT, { window });
  printProfile(summary);
  return summary;
}

let tools;
let upstreamPort;

async function main() {
  tools = ensureTools();
  const versions = toolVersions(tools);
  console.log(`bench: ${Object.entries(versions).map(([k, v]) => `${k} ${v.replace(/^\S+ (version )?/i, '')}`).join(' · ')}`);
  const started = Date.now();
  const { cases, upstreamPort: up } = await startCases(tools, ROOT, DIR);
  upstreamPort = up;
  const idle = Object.values(cases).flatMap((c) => c.procs.map((p) => `${p.name} ${memoryMb(p.pid).rss.toFixed(1)}`));
  console.log(`bench: RSS MB after start, before any load: ${idle.join(', ')}`);
  console.log(`bench: all cases route (200 for ${ROUTE_HOST}${REQUEST_PATH}, 404 for another host); ${OPTS.rounds} rounds`);
  const l = await latencyPhase(cases);
  const { t, failures } = await throughputPhase(cases);
  const peak = Object.fromEntries(['weft', 'weft-pair', 'haproxy'].map((n) => [n, Math.max(...cases[n].procs.map((p) => memoryMb(p.pid).hwm))]));
  const summary = summarize(t, l);
  const meta = { ...OPTS, versions, seconds: OPTS.seconds, profile: OPTS.profile };
  printTable(summary, meta);
  const logLine = Object.entries(t).map(([n, x]) => `${n} ${Math.round(x.logBytesPerReq.reduce((a, b) => a + b, 0) / x.logBytesPerReq.length)}`);
  const split = Object.entries(t).filter(([n]) => n !== 'direct').map(([n, x]) => `${n} ${median(x.userUsPerReq).toFixed(1)}/${median(x.sysUsPerReq).toFixed(1)}`);
  console.log(`\nCPU µs/req user/sys (medians): ${split.join(', ')}`);
  console.log(`access log bytes per request: ${logLine.join(', ')}`);
  console.log(`peak RSS (VmHWM) after the wrk runs: ${Object.entries(peak).map(([n, v]) => `${n} ${v.toFixed(1)} MB`).join(', ')}`);
  for (const f of failures) console.log(`\nwrk reported errors for ${f.name} (round ${f.round + 1}):\n${f.raw}`);
  let profile = null;
  if (OPTS.profile) profile = await profilePhase();
  await stopAll();
  const json = JSON.parse(jsonSummary(summary, { ...meta, peakRssMb: peak, elapsedSeconds: Math.round((Date.now() - started) / 1000) }));
  if (profile !== null) json.profileTop = profile.functions.slice(0, 10).map((f) => ({ name: f.name, pct: Number(f.pctBusy.toFixed(1)) }));
  console.log(`\nBENCH_JSON ${JSON.stringify(json)}`);
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);
