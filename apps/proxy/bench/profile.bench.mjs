#!/usr/bin/env node
// Where the single Weft proxy's CPU goes under wrk, without the whole comparison run of
// proxy.bench.mjs: nginx upstream, one Weft proxy started with --cpu-prof, a warm-up, one wrk run,
// the profile summarised (self time per function and per area).
//
//   npx nx run proxy:build && node apps/proxy/bench/profile.bench.mjs
//
// Environment: WEFT_BENCH_SECONDS (wrk run, 5), WEFT_BENCH_DIRECTION (OUTBOUND | INBOUND).
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRouting, startUpstream, startWeft } from './load/cases.mjs';
import { REQUEST_PATH, ROUTE_HOST } from './load/configs.mjs';
import { printProfile, summarizeProfile } from './load/cpu-profile.mjs';
import { cpuMicros, freePort, cleanUpAtExit, stop, stopAll } from './load/processes.mjs';
import { ensureTools, runWrk } from './load/tools.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const DIR = join(ROOT, 'tmp', `bench-profile-${process.pid}`);
const SECONDS = Number(process.env.WEFT_BENCH_SECONDS ?? 5);
cleanUpAtExit(DIR);

async function main() {
  const tools = ensureTools();
  mkdirSync(DIR, { recursive: true });
  const { port: upPort } = await startUpstream(tools, DIR);
  const port = await freePort();
  const direction = process.env.WEFT_BENCH_DIRECTION ?? 'OUTBOUND';
  const proc = startWeft(ROOT, DIR, 'weft', port, upPort, { direction, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(DIR, 'profile')}`] });
  await checkRouting('weft', port, [proc]);
  const url = `http://127.0.0.1:${port}${REQUEST_PATH}`;
  await runWrk(tools.wrk, url, ROUTE_HOST, { connections: 32, seconds: 1 });
  const before = cpuMicros(proc.pid);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const w = await runWrk(tools.wrk, url, ROUTE_HOST, { connections: 32, seconds: SECONDS });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const after = cpuMicros(proc.pid);
  const us = (x) => (x / w.requests).toFixed(1);
  console.log(`weft ${direction}: ${w.rps.toFixed(0)} rps, CPU ${us(after.user + after.sys - before.user - before.sys)} µs/req (usr ${us(after.user - before.user)} sys ${us(after.sys - before.sys)}) with profiling on`);
  await stop(proc, 5000);
  const files = readdirSync(join(DIR, 'profile')).filter((f) => f.endsWith('.cpuprofile'));
  printProfile(summarizeProfile(join(DIR, 'profile', files[0]), ROOT, { window: { fromUs, toUs }, top: 30 }));
  await stopAll();
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`profile failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);
