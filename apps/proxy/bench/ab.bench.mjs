#!/usr/bin/env node
// Two (or more) builds of the Weft proxy side by side in the same run: one proxy process each in
// front of the same nginx upstream, interleaved wrk rounds (order alternating), CPU per request and
// rps per round and their medians. For "before and after" figures of a hot-path change on a noisy
// machine: copy apps/proxy/{dist,bin,package.json} of the old build under tmp/ first.
//
//   node apps/proxy/bench/ab.bench.mjs '[{"name":"before","bin":"tmp/proxy-old/bin/weft-proxy.js"},{"name":"after"}]'
//
// A variant: { name, bin? (default apps/proxy/bin/weft-proxy.js), node? (node arguments), log? ('off') }.
// Environment: ROUNDS (8), WEFT_BENCH_SECONDS (3).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUpstream } from './load/cases.mjs';
import { REQUEST_PATH, ROUTE_HOST, weftBootstrap } from './load/configs.mjs';
import { cpuMicros, freePort, cleanUpAtExit, start, stopAll, waitReady } from './load/processes.mjs';
import { ensureTools, runWrk } from './load/tools.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const DIR = join(ROOT, 'tmp', `bench-ab-${process.pid}`);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const SECONDS = Number(process.env.WEFT_BENCH_SECONDS ?? 3);
cleanUpAtExit(DIR);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const variants = JSON.parse(process.argv[2] ?? '[{"name":"current"}]');
  const tools = ensureTools();
  mkdirSync(DIR, { recursive: true });
  const { port: up } = await startUpstream(tools, DIR);
  const cases = [];
  for (const [i, v] of variants.entries()) {
    const port = await freePort();
    writeFileSync(join(DIR, `w${i}.yaml`), weftBootstrap(port, up));
    const bin = resolve(ROOT, v.bin ?? 'apps/proxy/bin/weft-proxy.js');
    const log = v.log === 'off' ? 'off' : join(DIR, `w${i}.access.log`);
    const args = [...(v.node ?? []), bin, '--config', join(DIR, `w${i}.yaml`), '--access-log', log, '--admin-port', '0', '--log-level', 'warn', '--service', `w${i}`];
    const proc = start(`w${i}`, process.execPath, args, join(DIR, `w${i}.out.log`));
    await waitReady(v.name, port, ROUTE_HOST, REQUEST_PATH, [proc]);
    cases.push({ name: v.name, url: `http://127.0.0.1:${port}${REQUEST_PATH}`, proc, cpu: [], rps: [] });
  }
  for (const c of cases) await runWrk(tools.wrk, c.url, ROUTE_HOST, { connections: 32, seconds: 1 });
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of r % 2 === 0 ? cases : [...cases].reverse()) {
      const before = cpuMicros(c.proc.pid);
      const w = await runWrk(tools.wrk, c.url, ROUTE_HOST, { connections: 32, seconds: SECONDS });
      const after = cpuMicros(c.proc.pid);
      c.cpu.push((after.user + after.sys - before.user - before.sys) / w.requests);
      c.rps.push(w.rps);
    }
  }
  for (const c of cases) {
    console.log(`${c.name.padEnd(24)} CPU µs/req ${c.cpu.map((x) => x.toFixed(1)).join(' ')} | median ${median(c.cpu).toFixed(1)}; rps median ${median(c.rps).toFixed(0)}`);
  }
  await stopAll();
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`ab bench failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);
