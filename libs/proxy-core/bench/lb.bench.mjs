#!/usr/bin/env node
// Load-balancer micro-benchmark (not a test): nanoseconds per pick for each policy, against the
// floor of any pick — one random index into an array — measured in the same run on the same machine,
// with the garbage collections and heap growth seen during the timed picks (no GC and well under a
// byte per pick: pick() allocates nothing; what remains is compilation). Also build times, and
// hashString on a typical header value.
//
//   npx tsc -p libs/proxy-core/tsconfig.build.json && node libs/proxy-core/bench/lb.bench.mjs
//   WEFT_BENCH_PICKS=5000000 WEFT_BENCH_HOSTS=10,100,1000 node libs/proxy-core/bench/lb.bench.mjs
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = new URL('../dist/lb/', import.meta.url).pathname;
const { createBalancer } = require(`${dist}create-balancer.js`);
const { PeakEwma } = require(`${dist}peak-ewma.js`);
const { hashString } = require(`${dist}hash.js`);


const PICKS = Number(process.env.WEFT_BENCH_PICKS ?? 2_000_000);
const HOST_COUNTS = (process.env.WEFT_BENCH_HOSTS ?? '10,100').split(',').map(Number);
const ROUNDS = Number(process.env.WEFT_BENCH_ROUNDS ?? 3);
const OPTIONS = { choiceCount: 2, ringHash: { minimumRingSize: 1024, maximumRingSize: 8 * 1024 * 1024 }, maglevTableSize: 65537 };
const POLICIES = ['ROUND_ROBIN', 'RANDOM', 'LEAST_REQUEST', 'RING_HASH', 'MAGLEV', 'PEAK_EWMA'];

let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setImmediate(resolve));

function makeHosts(n, weighted) {
  return Array.from({ length: n }, (_, i) => ({
    id: `10.0.${i >> 8}.${i & 255}:8080`,
    weight: weighted ? 1 + (i % 4) : 1,
    activeRequests: i % 3,
    available: true,
    ewma: new PeakEwma(0, 10_000, 5 + (i % 7)),
  }));
}

/**
 * A loop of `PICKS` picks compiled separately for each balancer (new Function), so its `lb.pick` call
 * site sees one class only, as a cluster's does; one shared loop would measure megamorphic dispatch.
 */
function makeLoop() {
  return new Function(
    'lb',
    'contexts',
    'picks',
    'let nulls = 0; const mask = contexts.length - 1;' +
      'for (let i = 0; i < picks; i++) if (lb.pick(contexts[i & mask]) === null) nulls++;' +
      'return nulls;',
  );
}

/** Times one loop run; returns [ns per pick, GCs during it, heap growth in bytes per pick]. */
async function timePicks(loop, lb, contexts) {
  loop(lb, contexts, 200_000);
  await settle();
  const before = gcs;
  const heap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const nulls = loop(lb, contexts, PICKS);
  const ns = ((performance.now() - t0) * 1e6) / PICKS;
  const grown = (process.memoryUsage().heapUsed - heap) / PICKS;
  await settle();
  if (nulls !== 0) throw new Error('a pick returned null');
  return [ns, gcs - before, grown];
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

const random = Math.random;
const hashes = Array.from({ length: 1024 }, (_, i) => ({ hash: hashString(`user-${i}`), exclude: null }));
const floor = (hosts) => ({ pick: () => hosts[(random() * hosts.length) | 0] });

for (const n of HOST_COUNTS) {
  for (const weighted of [false, true]) {
    const hosts = makeHosts(n, weighted);
    const rows = [['floor (random index)', floor(hosts)]];
    const builds = {};
    for (const policy of POLICIES) {
      const t0 = performance.now();
      rows.push([policy, createBalancer(policy, OPTIONS, hosts, random, () => 1000)]);
      builds[policy] = performance.now() - t0;
    }
    console.log(`\n${n} hosts, ${weighted ? 'weights 1..4' : 'equal weights'} (${PICKS} picks, median of ${ROUNDS} interleaved rounds)`);
    const results = rows.map(() => ({ loop: makeLoop(), ns: [], gcs: 0, bytes: [] }));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, [, lb]] of rows.entries()) {
        const [ns, gc, bytes] = await timePicks(results[i].loop, lb, hashes);
        results[i].ns.push(ns);
        results[i].gcs += gc;
        results[i].bytes.push(bytes);
      }
    }
    const base = median(results[0].ns);
    for (const [i, [name]] of rows.entries()) {
      const ns = median(results[i].ns);
      const build = builds[name] === undefined ? '' : `  build ${builds[name].toFixed(2)} ms`;
      const heap = `GCs ${results[i].gcs}, heap +${median(results[i].bytes).toFixed(2)} B/pick`;
      console.log(`  ${name.padEnd(22)} ${ns.toFixed(1).padStart(7)} ns/pick  ×${(ns / base).toFixed(2)} floor  ${heap}${build}`);
    }
  }
}

const keys = Array.from({ length: 1024 }, (_, i) => `5f0c6a1e-3b7d-4e2a-9c1f-${String(i).padStart(12, '0')}`);
let acc = 0;
for (let i = 0; i < 200_000; i++) acc ^= hashString(keys[i & 1023]);
await settle();
const before = gcs;
const t0 = performance.now();
for (let i = 0; i < PICKS; i++) acc ^= hashString(keys[i & 1023]);
const ns = ((performance.now() - t0) * 1e6) / PICKS;
await settle();
console.log(`\nhashString(36-char request id): ${ns.toFixed(1)} ns  GCs ${gcs - before}  (${acc & 1})`);
