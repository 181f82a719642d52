#!/usr/bin/env node
// Telemetry benchmark (not a test): request records ingested per second by ONE replica process,
// against a baseline measured in the same run on the same machine.
//
// A record is one request folded into a report edge. The bench publishes pre-built reports (EDGES
// edges × PER_EDGE requests each, built with the proxies' EdgeAccumulator) over NATS at the highest
// rate the publisher manages, for SECONDS after a warm-up, into:
//   baseline  a minimal NATS subscriber (same queue group) that only JSON.parses each report;
//   telemetry the built weft-telemetry bin (validate, decode + merge HDR histograms, fold, flush to Redis).
// Rate = records counted by the target between the end of the warm-up and the end of the run.
//
//   npx nx run telemetry:bench
//   WEFT_BENCH_SECONDS=5 WEFT_BENCH_EDGES=20 WEFT_BENCH_PER_EDGE=50 node apps/telemetry/bench/telemetry.bench.mjs
//   WEFT_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" …   (extra node flags of the replica)
//   WEFT_BENCH_COMPARE_BIN=/elsewhere/apps/telemetry/bin/weft-telemetry.js …   (also measure another
//     build, e.g. a copy of main's, fed the compressed histograms it understands: before/after in one run;
//     WEFT_BENCH_COMPARE_ENCODING=list feeds it value lists instead, for builds that take them)
//
// Every scenario measures the baseline, then weft-telemetry fed what EdgeAccumulator sends (latency
// value lists, `ms:…`), then weft-telemetry fed the compressed HDR histograms older proxies send.
//
// Scenarios: the folded case (20 edges × 50 requests), the doc's historical 20 × 5, and the worst case
// (100 edges × 1 request: every edge carries a single request, so the per-edge cost is all there is).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { EdgeAccumulator } from '@weft/api';
import { ensureServers } from '../../../scripts/servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'weft-telemetry.js');
const SECONDS = Number(process.env.WEFT_BENCH_SECONDS ?? 4);
const WARMUP_MS = 1500;
const SCENARIOS = process.env.WEFT_BENCH_EDGES
  ? [[Number(process.env.WEFT_BENCH_EDGES), Number(process.env.WEFT_BENCH_PER_EDGE ?? 50)]]
  : [[20, 50], [20, 5], [100, 1]];
const COMPARE_BIN = process.env.WEFT_BENCH_COMPARE_BIN ?? null;
const COMPARE_LISTS = process.env.WEFT_BENCH_COMPARE_ENCODING === 'list';
const NODE_ARGS = (process.env.WEFT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

function startChild(name, args, env, onLog) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready`)), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let log;
      try { log = JSON.parse(line); } catch { return; }
      onLog?.(log);
      if (log.msg === 'ready' || log.msg === 'telemetry ready') { clearTimeout(timer); resolve({ child, log }); }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
}

/**
 * Reports of 3 proxies, `edges` distinct edges of `perEdge` requests each (latencies 1-40 ms): half of
 * the edges answer 200, half 503/UF, over `edges / 2` destination services.
 */
function buildReports(edges, perEdge, count, latencyEncoding) {
  const out = [];
  const half = Math.ceil(edges / 2);
  for (let p = 0; p < 3; p++) {
    const acc = new EdgeAccumulator({ proxy: { id: `bench-proxy-${p}`, workload: `w${p}`, namespace: 'bench' }, latencyEncoding });
    for (let r = 0; r < count / 3; r++) {
      for (let e = 0; e < edges; e++) {
        for (let i = 0; i < perEdge; i++) {
          acc.add({
            reporter: 'destination', protocol: 'http', grpcStatus: null, connectionSecurityPolicy: 'mutual_tls',
            source: { workload: `w${p}`, namespace: 'bench', principal: null },
            destination: { service: `svc${e % half}`, workload: null, namespace: 'bench', principal: null },
            responseCode: e < half ? 200 : 503, responseFlags: e < half ? '-' : 'UF',
            requestBytes: 100, responseBytes: 1000, durationMs: 1 + ((i * 7 + e) % 40),
          });
        }
      }
      out.push(Buffer.from(JSON.stringify(acc.flush())));
    }
  }
  return out;
}

/** Publishes reports in a loop until `stop()`; restamps nothing (reports are built right before). */
function publisher(nc, subject, reports) {
  let running = true;
  let sent = 0;
  const done = (async () => {
    while (running) {
      for (let i = 0; i < 64; i++) nc.publish(subject, reports[sent++ % reports.length]);
      await nc.flush();
    }
  })();
  return { stop: async () => { running = false; await done; return sent; } };
}

async function measure(nc, subject, reports, read) {
  const pub = publisher(nc, subject, reports);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const c0 = await read();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const c1 = await read();
  const t1 = performance.now();
  const sent = await pub.stop();
  return { rate: ((c1 - c0) * 1000) / (t1 - t0), sent };
}

function metric(text, name) {
  return text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** One replica process (`bin`) fed `reports` for the measured period; then checks what it stored. */
async function runTelemetry(servers, nc, bin, reports) {
  const id = randomBytes(4).toString('hex');
  const prefix = `bench${id}t.`;
  const env = { NATS_URL: servers.natsUrl, REDIS_URL: servers.redisUrl, WEFT_SUBJECT_PREFIX: prefix, WEFT_REDIS_PREFIX: `bench-${id}:`, WEFT_TELEMETRY_HTTP_PORT: '0', WEFT_LOG_LEVEL: 'info' };
  const tel = await startChild('telemetry', [...NODE_ARGS, bin], env);
  const url = `http://127.0.0.1:${tel.log.httpPort}/metrics`;
  const ingested = async () => metric(await (await fetch(url)).text(), 'weft_telemetry_records_ingested_total');
  const { rate } = await measure(nc, `${prefix}weft.telemetry.reports`, reports, ingested);
  // Let the replica work off its backlog and flush: stored = ingested, or 15 s pass.
  let final = '';
  let previous = -1;
  for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
    final = await (await fetch(url)).text();
    const ingestedNow = metric(final, 'weft_telemetry_records_ingested_total');
    if (ingestedNow === previous && metric(final, 'weft_telemetry_mesh_records_total') === ingestedNow) break;
    previous = ingestedNow;
  }
  const exited = new Promise((r) => tel.child.once('exit', r));
  tel.child.kill('SIGTERM');
  await exited;
  await cleanup(servers.redisUrl, `bench-${id}:`);
  return {
    rate,
    stored: metric(final, 'weft_telemetry_mesh_records_total'),
    ingested: metric(final, 'weft_telemetry_records_ingested_total'),
    missingReports: metric(final, 'weft_telemetry_reports_missing'),
    invalid: metric(final, 'weft_telemetry_messages_invalid_total'),
  };
}

async function runScenario(servers, nc, [edges, perEdge]) {
  const perReport = edges * perEdge;
  const lists = buildReports(edges, perEdge, 300, 'list');
  const compressed = buildReports(edges, perEdge, 300, 'compressed');
  const baseSubject = `bench${randomBytes(4).toString('hex')}b.weft.telemetry.reports`;
  let baseCount = 0;
  const base = await startChild('baseline', [join(here, 'baseline-subscriber.mjs')], { NATS_URL: servers.natsUrl, SUBJECT: baseSubject }, (l) => { if (l.msg === 'count') baseCount = l.records; });
  const baseline = await measure(nc, baseSubject, lists, async () => baseCount);
  base.child.kill('SIGKILL');
  const targets = [
    ['weft-telemetry, value lists', BIN, lists],
    ['weft-telemetry, compressed (older proxies)', BIN, compressed],
    ...(COMPARE_BIN === null ? [] : [[`compared build, ${COMPARE_LISTS ? 'value lists' : 'compressed'}`, COMPARE_BIN, COMPARE_LISTS ? lists : compressed]]),
  ];
  const results = [];
  for (const [name, bin, reports] of targets) {
    const r = await runTelemetry(servers, nc, bin, reports);
    results.push({ name, ...r, ratio: r.rate / baseline.rate, edgesPerSecond: Math.round((r.rate / perReport) * edges) });
  }
  return { scenario: `${edges} edges × ${perEdge} requests = ${perReport} records/report`, baseline: baseline.rate, results };
}

async function cleanup(redisUrl, prefix) {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

const servers = await ensureServers({ log: () => undefined });
const u = new URL(servers.natsUrl);
const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}` });
console.log(`telemetry bench: ${SECONDS} s per target after ${WARMUP_MS} ms warm-up; goal ≥ 100,000 records/s per replica`);
for (const s of SCENARIOS) {
  const r = await runScenario(servers, nc, s);
  console.log(`\n${r.scenario}`);
  console.log(`  baseline (NATS + JSON.parse only): ${Math.round(r.baseline).toLocaleString('en')} records/s`);
  for (const t of r.results) {
    console.log(`  ${`${t.name}:`.padEnd(44)} ${Math.round(t.rate).toLocaleString('en')} records/s (${t.ratio.toFixed(3)}× baseline; ${t.edgesPerSecond.toLocaleString('en')} edges/s)`);
    console.log(`  ${''.padEnd(44)} after the run: ingested ${t.ingested.toLocaleString('en')}, stored ${t.stored.toLocaleString('en')}, missing reports ${t.missingReports}, invalid ${t.invalid}`);
  }
}
await nc.drain();
await servers.stop();
