#!/usr/bin/env node
// Pilot benchmark (not a test): N simulated proxies on real gRPC delta ADS streams, M services with
// E endpoints each, endpoint churn one service at a time. Reports push convergence (registry change →
// the last subscriber holds the new ClusterLoadAssignment) p50/p99, bytes per change to subscribers
// and to non-subscribers, and pilot's RSS — each next to a baseline measured in the same run: a floor
// server holding the same streams that sends one pre-encoded resource per change to a subscriber map
// (apps/pilot/bench/pilot-bench-server.mjs --baseline). Pilot runs in its own process.
//
//   npx nx run pilot:bench            (after `npx nx run pilot:build`)
//   WEFT_BENCH_PROXIES=2000 WEFT_BENCH_SERVICES=1000 WEFT_BENCH_CHANGES=200 node apps/pilot/bench/pilot.bench.mjs
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const { adsDefinition, TYPE_URL } = require('@weft/xds');
const hdr = require('hdr-histogram-js');

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, 'pilot-bench-server.mjs');
const env = (k, d) => Number(process.env[k] ?? d);
const PROXIES = env('WEFT_BENCH_PROXIES', 2000);
const SERVICES = env('WEFT_BENCH_SERVICES', 1000);
const ENDPOINTS = env('WEFT_BENCH_ENDPOINTS', 5);
const SUBSCRIPTIONS = env('WEFT_BENCH_SUBSCRIPTIONS', 5);
const CHANGES = env('WEFT_BENCH_CHANGES', 200);
const RSS_SERVICES = env('WEFT_BENCH_RSS_SERVICES', 10000);
const STREAMS_PER_CHANNEL = 100;
const clusterName = (i) => `outbound|8080||svc-${i}.bench.svc.cluster.local`;
const serviceOf = (name) => Number(name.split('|')[3].split('.')[0].slice(4));

function startServer(services, endpoints, baseline) {
  const child = fork(SERVER, [String(services), String(endpoints), ...(baseline ? ['--baseline'] : [])], { execArgv: ['--expose-gc', '--max-old-space-size=2048'] });
  const waiters = [];
  child.on('message', (m) => waiters.shift()?.(m));
  const next = () => new Promise((r) => waiters.push(r));
  return { child, next, ask: (m) => { const p = next(); child.send(m); return p; } };
}

/** One simulated proxy: a delta stream subscribed to the EDS of its services; ACKs everything. */
function openProxy(client, id, subscribed, onResource) {
  const call = client.DeltaAggregatedResources();
  const state = { call, initial: subscribed.size, received: 0 };
  call.on('data', (res) => {
    const at = process.hrtime.bigint();
    for (const r of res.resources) onResource(id, serviceOf(r.name), r.resource.value.length + r.name.length + r.version.length, at);
    call.write({ type_url: res.type_url, response_nonce: res.nonce });
  });
  call.on('error', () => undefined);
  call.write({
    node: { id: `bench-${id}`, cluster: 'bench', user_agent_name: 'weft-proxy', metadata: { fields: { NAMESPACE: { stringValue: 'bench' } } } },
    type_url: TYPE_URL.clusterLoadAssignment,
    resource_names_subscribe: [...subscribed].map(clusterName),
  });
  return state;
}

function percentile(h, p) {
  return h.getValueAtPercentile(p) / 1000;
}

async function run(label, services, baseline, changes) {
  const server = startServer(services, ENDPOINTS, baseline);
  const { port } = await server.next();
  const { Client } = adsDefinition();
  const clients = Array.from({ length: Math.ceil(PROXIES / STREAMS_PER_CHANNEL) }, () => new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 }));
  const subscribers = new Map(); // service → Set<proxy>
  const subs = [];
  let rng = 42;
  const rand = (n) => ((rng = (rng * 1103515245 + 12345) % 2147483648) % n);
  for (let p = 0; p < PROXIES; p++) {
    const set = new Set();
    while (set.size < SUBSCRIPTIONS) set.add(rand(services));
    subs.push(set);
    for (const s of set) (subscribers.get(s) ?? subscribers.set(s, new Set()).get(s)).add(p);
  }
  let initial = 0;
  let watch = null; // { service, pending: Set, subscriberBytes, otherBytes, at, last, done }
  const onResource = (proxy, service, bytes, at) => {
    if (watch === null) return void initial++;
    if (service === watch.service && watch.pending.delete(proxy)) {
      watch.subscriberBytes += bytes;
      watch.last = at;
      if (watch.pending.size === 0) watch.done();
    } else watch.otherBytes += bytes;
  };
  const started = process.hrtime.bigint();
  const proxies = subs.map((set, p) => openProxy(clients[Math.floor(p / STREAMS_PER_CHANNEL)], p, set, onResource));
  const expected = PROXIES * SUBSCRIPTIONS;
  while (initial < expected) await new Promise((r) => setTimeout(r, 50));
  const initialMs = Number(process.hrtime.bigint() - started) / 1e6;
  const rssAfterSync = (await server.ask({ cmd: 'rss' })).rss;
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let subscriberBytes = 0;
  let otherBytes = 0;
  let subscriberCount = 0;
  const changed = [...subscribers.keys()];
  for (let c = 0; c < changes; c++) {
    const service = changed[rand(changed.length)];
    const pending = new Set(subscribers.get(service));
    subscriberCount += pending.size;
    const done = new Promise((resolve) => (watch = { service, pending, subscriberBytes: 0, otherBytes: 0, at: 0n, last: 0n, done: resolve }));
    const ack = await server.ask({ cmd: 'churn', service });
    watch.at = BigInt(ack.at);
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), 5000));
    if ((await Promise.race([done, timeout])) === 'timeout') throw new Error(`${label}: change ${c} to svc-${service} did not reach ${watch.pending.size} subscribers in 5 s`);
    h.recordValue(Math.max(1, Number(watch.last - watch.at) / 1000));
    subscriberBytes += watch.subscriberBytes;
    otherBytes += watch.otherBytes;
    watch = null;
  }
  const rss = (await server.ask({ cmd: 'rss' })).rss;
  for (const p of proxies) p.call.cancel();
  for (const c of clients) c.close();
  server.child.send({ cmd: 'exit' });
  return {
    label, services, initialMs, p50: percentile(h, 50), p99: percentile(h, 99), max: h.maxValue / 1000,
    bytesPerChangeSubscribers: subscriberBytes / changes, subscribersPerChange: subscriberCount / changes, bytesPerChangeOthers: otherBytes / changes,
    rssAfterSyncMb: rssAfterSync / 1048576, rssMb: rss / 1048576,
  };
}

function show(r) {
  console.log(`  ${r.label.padEnd(34)} initial sync ${r.initialMs.toFixed(0).padStart(6)} ms · convergence p50 ${r.p50.toFixed(1).padStart(6)} ms p99 ${r.p99.toFixed(1).padStart(6)} ms max ${r.max.toFixed(1)} ms`);
  console.log(`  ${''.padEnd(34)} per change: ${r.subscribersPerChange.toFixed(1)} subscribers, ${r.bytesPerChangeSubscribers.toFixed(0)} B to them, ${r.bytesPerChangeOthers.toFixed(0)} B to non-subscribers · RSS ${r.rssAfterSyncMb.toFixed(0)} MB after sync, ${r.rssMb.toFixed(0)} MB after churn`);
}

console.log(`pilot bench: ${PROXIES} proxies (delta ADS, ${SUBSCRIPTIONS} EDS subscriptions each), ${ENDPOINTS} endpoints per service, ${CHANGES} endpoint changes`);
const rows = [];
for (const [services, changes] of [[SERVICES, CHANGES], [RSS_SERVICES, Math.max(20, Math.floor(CHANGES / 4))]]) {
  const base = await run(`baseline  ${services} services`, services, true, changes);
  show(base);
  const pilot = await run(`pilot     ${services} services`, services, false, changes);
  show(pilot);
  rows.push({ services, pilot, base });
}
console.log('\nratios (pilot / baseline, same run):');
for (const { services, pilot, base } of rows) {
  console.log(`  ${services} services: convergence p50 ${(pilot.p50 / base.p50).toFixed(2)}× p99 ${(pilot.p99 / base.p99).toFixed(2)}× · bytes to subscribers ${(pilot.bytesPerChangeSubscribers / base.bytesPerChangeSubscribers).toFixed(2)}× · RSS ${(pilot.rssMb / base.rssMb).toFixed(2)}×`);
}
const [small, large] = rows;
console.log('\ngoals:');
console.log(`  p99 ≤ 100 ms per endpoint change (${PROXIES} proxies, ${SERVICES} services): ${small.pilot.p99.toFixed(1)} ms ${small.pilot.p99 <= 100 ? 'PASS' : 'MISS'}`);
console.log(`  zero bytes to non-subscribers: ${small.pilot.bytesPerChangeOthers + large.pilot.bytesPerChangeOthers} B ${small.pilot.bytesPerChangeOthers + large.pilot.bytesPerChangeOthers === 0 ? 'PASS' : 'MISS'}`);
console.log(`  RSS ≤ 300 MB at ${RSS_SERVICES} services / ${RSS_SERVICES * ENDPOINTS} endpoints / ${PROXIES} proxies: ${large.pilot.rssMb.toFixed(0)} MB ${large.pilot.rssMb <= 300 ? 'PASS' : 'MISS'}`);
process.exit(0);
