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
  : [[20, 50], [20, 5]];

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

/** Reports of 3 proxies, `edges` distinct edges of `perEdge` requests each (latencies 1-40 ms). */
function buildReports(edges, perEdge, count) {
  const out = [];
  for (let p = 0; p < 3; p++) {
    const acc = new EdgeAccumulator({ proxy: { id: `bench-proxy-${p}`, workload: `w${p}`, namespace: 'bench' } });
    for (let r = 0; r < count / 3; r++) {
      for (let e = 0; e < edges; e++) {
        for (let i = 0; i < perEdge; i++) {
          acc.add({
            reporter: 'destination', protocol: 'http', grpcStatus: null, connectionSecurityPolicy: 'mutual_tls',
            source: { workload: `w${p}`, namespace: 'bench', principal: null },
            destination: { service: `svc${e % 10}`, workload: null, namespace: 'bench', principal: null },
            responseCode: e < 10 ? 200 : 503, responseFlags: e < 10 ? '-' : 'UF',
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

async function runScenario(servers, nc, [edges, perEdge]) {
  const perReport = edges * perEdge;
  const reports = buildReports(edges, perEdge, 300);
  const id = randomBytes(4).toString('hex');
  const env = { NATS_URL: servers.natsUrl, REDIS_URL: servers.redisUrl };

  const baseSubject = `bench${id}b.weft.telemetry.reports`;
  let baseCount = 0;
  const base = await startChild('baseline', [join(here, 'baseline-subscriber.mjs')], { ...env, SUBJECT: baseSubject }, (l) => { if (l.msg === 'count') baseCount = l.records; });
  const baseline = await measure(nc, baseSubject, reports, async () => baseCount);
  base.child.kill('SIGKILL');

  const prefix = `bench${id}t.`;
  const tel = await startChild('telemetry', [BIN], { ...env, WEFT_SUBJECT_PREFIX: prefix, WEFT_REDIS_PREFIX: `bench-${id}:`, WEFT_TELEMETRY_HTTP_PORT: '0', WEFT_LOG_LEVEL: 'info' });
  const url = `http://127.0.0.1:${tel.log.httpPort}/metrics`;
  const ingested = async () => metric(await (await fetch(url)).text(), 'weft_telemetry_records_ingested_total');
  const telemetry = await measure(nc, `${prefix}weft.telemetry.reports`, reports, ingested);
  // Let the replica work off its backlog and flush: stored = ingested, or 15 s pass.
  let final = '';
  let previous = -1;
  for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
    final = await (await fetch(url)).text();
    const ingestedNow = metric(final, 'weft_telemetry_records_ingested_total');
    if (ingestedNow === previous && metric(final, 'weft_telemetry_mesh_records_total') === ingestedNow) break;
    previous = ingestedNow;
  }
  tel.child.kill('SIGTERM');
  await cleanup(servers.redisUrl, `bench-${id}:`);
  return {
    scenario: `${edges} edges × ${perEdge} requests = ${perReport} records/report`,
    baseline: Math.round(baseline.rate),
    telemetry: Math.round(telemetry.rate),
    ratio: (telemetry.rate / baseline.rate).toFixed(2),
    edgesPerSecond: Math.round((telemetry.rate / perReport) * edges),
    stored: metric(final, 'weft_telemetry_mesh_records_total'),
    ingested: metric(final, 'weft_telemetry_records_ingested_total'),
    missingReports: metric(final, 'weft_telemetry_reports_missing'),
    invalid: metric(final, 'weft_telemetry_messages_invalid_total'),
  };
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
  console.log(`  baseline (NATS + JSON.parse only): ${r.baseline.toLocaleString('en')} records/s`);
  console.log(`  weft-telemetry (one replica):      ${r.telemetry.toLocaleString('en')} records/s (${r.ratio}× baseline; ${r.edgesPerSecond.toLocaleString('en')} edges/s)`);
  console.log(`  after the run: ingested ${r.ingested.toLocaleString('en')}, stored ${r.stored.toLocaleString('en')}, missing reports ${r.missingReports}, invalid ${r.invalid}`);
}
await nc.drain();
await servers.stop();
