#!/usr/bin/env node
// Registry benchmark (not a test): heartbeats per second on one replica and register latency, each
// as a ratio against a baseline measured in the same run on the same machine.
//
// Baseline: a minimal node:http server doing the floor of the registry's work per call — parse the
// URL, one Redis round trip (HSET) — in its own process, driven by the same client at the same
// concurrency. The registry adds validation, Lua (atomic state + TTL index), events and metrics.
//
//   npm run bench            (or: npx nx run registry:bench)
//   WEFT_BENCH_SECONDS=5 WEFT_BENCH_CONCURRENCY=32 node apps/registry/bench/registry.bench.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { ensureServers } from '../../../scripts/servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'weft-registry.js');
const SECONDS = Number(process.env.WEFT_BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.WEFT_BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.WEFT_BENCH_CONCURRENCY ?? 32);
const INSTANCES = 1000;
const REGISTERS = Number(process.env.WEFT_BENCH_REGISTERS ?? 3000);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode < 300 ? resolve(res.statusCode) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Runs `op(i)` from `CONCURRENCY` workers for `SECONDS`; returns calls/s. */
async function throughput(op) {
  const end = Date.now() + SECONDS * 1000;
  let n = 0;
  const worker = async (w) => {
    for (let i = w; Date.now() < end; i += CONCURRENCY) {
      await op(i);
      n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return n / SECONDS;
}

/** Runs `count` calls of `op(i)` at concurrency 16; returns the latency histogram (µs). */
async function latency(count, op) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = process.hrtime.bigint();
      await op(i);
      h.recordValue(Number((process.hrtime.bigint() - t) / 1000n));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return h;
}

function startChild(name, args, env, readyMsg) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const log = JSON.parse(line);
        if (log.msg === readyMsg) resolve({ child, log });
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited early (${code})`)));
  });
}

const BASELINE = `
const http = require('node:http');
const { Redis } = require('ioredis');
const redis = new Redis(process.env.REDIS_URL);
const prefix = process.env.PREFIX;
http.createServer((req, res) => {
  const id = req.url.split('/')[6] ?? 'x';
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    redis.hset(prefix + 'baseline', id, body || String(Date.now())).then(() => { res.setHeader('content-type', 'application/json'); res.end('{}'); });
  });
}).listen(0, '127.0.0.1', function () { console.log(JSON.stringify({ msg: 'ready', port: this.address().port })); });
`;

async function main() {
  const servers = await ensureServers({ log: () => undefined });
  const id = randomBytes(4).toString('hex');
  const env = { NATS_URL: servers.natsUrl, REDIS_URL: servers.redisUrl, WEFT_REDIS_PREFIX: `bench-${id}:`, WEFT_SUBJECT_PREFIX: `bench${id}.`, WEFT_LOG_LEVEL: 'warn' };
  const base = await startChild('baseline', ['-e', BASELINE], { ...env, PREFIX: `bench-${id}:` }, 'ready');
  const reg = await startChild('registry', [BIN], { ...env, WEFT_LOG_LEVEL: 'info', WEFT_REGISTRY_HTTP_PORT: '0', WEFT_REGISTRY_GRPC_PORT: '0' }, 'registry ready');
  const bp = base.log.port;
  const rp = reg.log.httpPort;
  const nats = await connect({ servers: new URL(servers.natsUrl).host });
  try {
    await request(rp, 'PUT', '/v1/namespaces/bench/services/hb', { ports: [{ name: 'http', number: 8080, protocol: 'http' }] });
    const spec = (i) => ({ id: `i-${i}`, address: '10.0.0.1', labels: { version: 'v1', zone: 'a' }, ttlSeconds: 60 });
    for (let i = 0; i < INSTANCES; i++) await request(rp, 'POST', '/v1/namespaces/bench/services/hb/instances', spec(i));

    const path = (i) => `/v1/namespaces/bench/services/hb/instances/i-${i % INSTANCES}/heartbeat`;
    await throughput((i) => request(rp, 'PUT', path(i))); // warm-up (JIT, connections)
    const subj = `bench${id}.weft.registry.rpc.heartbeat`;
    const natsOp = (i) =>
      nats.request(subj, JSON.stringify({ namespace: 'bench', service: 'hb', id: `i-${i % INSTANCES}` }), { timeout: 5000 }).then((m) => {
        if (!m.json().ok) throw new Error(m.string());
      });
    // Interleaved rounds, medians: the machine is shared and noisy.
    const runs = { base: [], rest: [], nats: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.base.push(await throughput((i) => request(bp, 'PUT', path(i))));
      runs.rest.push(await throughput((i) => request(rp, 'PUT', path(i))));
      runs.nats.push(await throughput(natsOp));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const baseHb = median(runs.base);
    const restHb = median(runs.rest);
    const natsHb = median(runs.nats);
    const baseReg = await latency(REGISTERS, (i) => request(bp, 'POST', `/v1/namespaces/bench/services/hb/instances/r-${i}`, spec(i)));
    const reg2 = await latency(REGISTERS, (i) => request(rp, 'POST', '/v1/namespaces/bench/services/hb/instances', { ...spec(i), id: `r-${i}` }));

    const ms = (h, p) => (h.getValueAtPercentile(p) / 1000).toFixed(2);
    const rows = [
      ['heartbeats/s, REST (1 replica)', restHb.toFixed(0), baseHb.toFixed(0), (restHb / baseHb).toFixed(2)],
      ['heartbeats/s, NATS request/reply', natsHb.toFixed(0), baseHb.toFixed(0), (natsHb / baseHb).toFixed(2)],
      ['register p50 ms (REST)', ms(reg2, 50), ms(baseReg, 50), (reg2.getValueAtPercentile(50) / baseReg.getValueAtPercentile(50)).toFixed(2)],
      ['register p99 ms (REST)', ms(reg2, 99), ms(baseReg, 99), (reg2.getValueAtPercentile(99) / baseReg.getValueAtPercentile(99)).toFixed(2)],
    ];
    console.log(`\nregistry benchmark — medians of ${ROUNDS} interleaved ${SECONDS}s throughput runs, concurrency ${CONCURRENCY}, ${REGISTERS} registers at concurrency 16, 2-core machine`);
    console.log('metric'.padEnd(36), 'registry'.padStart(10), 'baseline'.padStart(10), 'ratio'.padStart(8));
    for (const r of rows) console.log(r[0].padEnd(36), r[1].padStart(10), r[2].padStart(10), r[3].padStart(8));
    console.log(JSON.stringify({ bench: 'registry', restHeartbeatsPerSec: restHb, natsHeartbeatsPerSec: natsHb, baselinePerSec: baseHb, registerP99Ms: reg2.getValueAtPercentile(99) / 1000, baselineP99Ms: baseReg.getValueAtPercentile(99) / 1000 }));
  } finally {
    await nats.close();
    const redis = new Redis(servers.redisUrl);
    for (const key of await redis.keys(`bench-${id}:*`)) await redis.del(key);
    await redis.quit();
    base.child.kill();
    reg.child.kill();
    agent.destroy();
    await servers.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
