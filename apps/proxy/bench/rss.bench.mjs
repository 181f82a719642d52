#!/usr/bin/env node
// RSS of one Weft proxy at a fixed 1,000 rps (the issue's memory goal), with node/V8 flag variants
// side by side in the same run: after start, and right after a fixed-rate run, per variant.
//
//   npx nx run proxy:build && node apps/proxy/bench/rss.bench.mjs
//
// Environment: WEFT_BENCH_LATENCY_SECONDS (4), WEFT_BENCH_RATE (1000), WEFT_BENCH_RSS_VARIANTS
// (`;`-separated node argument lists; default: none, semi-space 1 MB, semi-space 2 MB; a
// `bin=PATH` item runs another build, e.g. `bin=tmp/proxy-old/bin/weft-proxy.js;` for a before and
// after figure: copy apps/proxy/{dist,bin,package.json} of the old build under tmp/ first),
// ROUNDS (1: each round runs every variant once, in alternating order). A variant starting with
// `floor` runs the minimal proxy below with the node arguments that follow (`floor --max-semi-space-size=1`).
//
// Every round also measures the floor: the smallest node:http forwarding proxy (load/minimal-proxy.mjs,
// no routing, metrics or log) at the same rate — what any Node proxy costs on this node binary — and
// splits RSS into the node binary's file-backed pages (shared by every node process on the host) and
// the process's own anonymous memory.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkRouting, startUpstream, startWeft } from './load/cases.mjs';
import { REQUEST_PATH, ROUTE_HOST } from './load/configs.mjs';
import { freePort, cleanUpAtExit, memoryMb, start, stop, stopAll, waitReady } from './load/processes.mjs';
import { ensureTools } from './load/tools.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const DIR = join(ROOT, 'tmp', `bench-rss-${process.pid}`);
const SECONDS = Number(process.env.WEFT_BENCH_LATENCY_SECONDS ?? 4);
const RATE = Number(process.env.WEFT_BENCH_RATE ?? 1000);
const VARIANTS = (process.env.WEFT_BENCH_RSS_VARIANTS ?? ';--max-semi-space-size=1;--max-semi-space-size=2').split(';').map((v) => v.split(' ').filter(Boolean));
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const run = promisify(execFile);
cleanUpAtExit(DIR);

async function main() {
  const tools = ensureTools();
  mkdirSync(DIR, { recursive: true });
  const { port: upPort } = await startUpstream(tools, DIR);
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...VARIANTS.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [i, variant] of order) await measure(`weft-${round}-${i}`, variant, upPort);
    await measure(`floor-${round}`, ['floor'], upPort);
  }
  await stopAll();
}

async function measure(name, variant, upPort) {
  const floor = variant[0] === 'floor';
  const bin = variant.find((a) => a.startsWith('bin='))?.slice(4);
  const nodeArgs = variant.filter((a) => !a.startsWith('bin=') && a !== 'floor');
  const port = await freePort();
  const proc = floor
    ? start(name, process.execPath, [...nodeArgs, join(HERE, 'load/minimal-proxy.mjs'), String(port), String(upPort)], join(DIR, `${name}.out.log`))
    : startWeft(ROOT, DIR, name, port, upPort, { nodeArgs, ...(bin ? { bin } : {}) });
  if (floor) await waitReady(name, port, ROUTE_HOST, REQUEST_PATH, [proc]);
  else await checkRouting('weft', port, [proc]);
  const idle = memoryMb(proc.pid).rss;
  const args = [join(HERE, 'load/fixed-rate.mjs'), '--port', String(port), '--host', ROUTE_HOST, '--path', REQUEST_PATH];
  args.push('--rate', String(RATE), '--connections', '10', '--seconds', String(SECONDS));
  const { stdout } = await run(process.execPath, args, { timeout: (SECONDS + 20) * 1000 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  const m = memoryMb(proc.pid);
  const label = floor ? `floor: minimal node:http proxy${nodeArgs.length > 0 ? ` ${nodeArgs.join(' ')}` : ''}` : variant.join(' ') || '(defaults)';
  const split = `anon ${m.anon.toFixed(1)} + node binary/files ${m.file.toFixed(1)}`;
  console.log(`${label.padEnd(32)} RSS after start ${idle.toFixed(1)} MB, after ${RATE} rps × ${SECONDS}s ${m.rss.toFixed(1)} MB (${split}; peak ${m.hwm.toFixed(1)}), p50 ${r.p50ms.toFixed(2)} ms p99 ${r.p99ms.toFixed(2)} ms, errors ${r.non2xx + r.errors + r.lost}`);
  await stop(proc, 5000);
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`rss bench failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);
