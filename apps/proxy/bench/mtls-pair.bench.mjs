#!/usr/bin/env node
// What mTLS adds to a proxy pair (issue "CA and zero-trust traffic", Must show): client → weft (outbound)
// → weft (inbound) → upstream, plaintext between the proxies vs STRICT mTLS (SVIDs from a throwaway
// openssl CA), at a fixed rate, measured in the same run with interleaved rounds. Each pair runs in
// its own child process (both proxies and the upstream); the load generator runs here.
//
//   npx nx run proxy:build && node apps/proxy/bench/mtls-pair.bench.mjs
//
// Environment: WEFT_BENCH_RATE (1000 requests/s), WEFT_BENCH_SECONDS (4 per round), WEFT_BENCH_ROUNDS (3).
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const env = (name, dflt) => Number(process.env[name] ?? dflt);
const RATE = env('WEFT_BENCH_RATE', 1000);
const SECONDS = env('WEFT_BENCH_SECONDS', 4);
const ROUNDS = env('WEFT_BENCH_ROUNDS', 3);
const TD = 'spiffe://cluster.local/ns/default/sa';

// ---- child: one pair ----

function yamlOf(mode, appPort, inboundPort) {
  const tls = mode === 'mtls';
  const common = (sans) => `
          common_tls_context:
            tls_certificate_sds_secret_configs: [{ name: default }]
            combined_validation_context:
              default_validation_context: ${sans}
              validation_context_sds_secret_config: { name: ROOTCA }`;
  const downstream = !tls ? '' : `
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true${common('{}').replace(/\n {10}/g, '\n          ')}`;
  const upstream = !tls ? '' : `
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: outbound_.9080_._.reviews.default.svc.cluster.local${common(`{ match_typed_subject_alt_names: [{ san_type: URI, matcher: { exact: "${TD}/reviews" } }] }`).replace(/\n {10}/g, '\n        ')}`;
  const listener = (name, dir, port, cluster, socket) => `
  - name: ${name}
    traffic_direction: ${dir}
    address: { socket_address: { address: 127.0.0.1, port_value: ${port} } }
    filter_chains:
    - ${socket === '' ? '' : `filter_chain_match: { transport_protocol: tls }${socket}\n      `}filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${name}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          route_config:
            name: ${name}
            virtual_hosts: [{ name: all, domains: ['*'], routes: [{ match: { prefix: / }, route: { cluster: ${cluster} } }] }]`;
  const cluster = (name, port, socket) => `
  - name: ${name}
    type: STATIC
    connect_timeout: 1s${socket}
    load_assignment: { cluster_name: ${name}, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } } }] }] }`;
  return {
    server: `static_resources:\n  listeners:${listener('inbound', 'INBOUND', inboundPort, 'app', downstream)}\n  clusters:${cluster('app', appPort, '')}\n`,
    client: `static_resources:\n  listeners:${listener('outbound', 'OUTBOUND', 0, 'reviews', '')}\n  clusters:${cluster('reviews', inboundPort, upstream)}\n`,
  };
}

async function servePair(mode, certDir) {
  const dist = join(HERE, '..', 'dist');
  const { Proxy } = require(join(dist, 'proxy.js'));
  const { loadBootstrap } = require(join(dist, 'config', 'index.js'));
  const { WorkloadIdentity } = require(join(dist, 'tls', 'workload-identity.js'));
  const pino = require('pino');
  const app = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise((r) => app.listen(0, '127.0.0.1', r));
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const inboundPort = probe.address().port;
  await new Promise((r) => probe.close(r));
  const yaml = yamlOf(mode, app.address().port, inboundPort);
  const start = async (text, sa) => {
    let identity = null;
    if (mode === 'mtls') {
      identity = new WorkloadIdentity();
      const read = (f) => readFileSync(join(certDir, f), 'utf8');
      identity.update({ keyPem: read(`${sa}.key`), chainPem: read(`${sa}.crt`), rootsPem: read('root.crt') });
    }
    const parse = (t) => loadBootstrap(t, `${mode}.yaml`).snapshot;
    const proxy = new Proxy({ logger: pino({ level: 'silent' }), parseConfig: parse, accessLog: 'off', workload: sa, namespace: 'default', drainTimeoutMs: 1000, adminPort: null, identity });
    await proxy.apply(parse(text));
    return proxy;
  };
  await start(yaml.server, 'reviews');
  const client = await start(yaml.client, 'productpage');
  process.send({ port: client.ports.get('outbound') });
}

// ---- parent: certificates, load, report ----

function mintCertificates(dir) {
  const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key');
  ossl('req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=bench-root', '-days', '1', '-out', 'root.crt', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  for (const sa of ['reviews', 'productpage']) {
    ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${sa}.ec.key`);
    ossl('pkcs8', '-topk8', '-nocrypt', '-in', `${sa}.ec.key`, '-out', `${sa}.key`);
    ossl('req', '-new', '-key', `${sa}.key`, '-subj', `/CN=${sa}`, '-out', `${sa}.csr`);
    const ext = join(dir, `${sa}.ext`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=URI:${TD}/${sa}\\nextendedKeyUsage=serverAuth,clientAuth\\n' > ${ext}`]);
    ossl('x509', '-req', '-in', `${sa}.csr`, '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', `${sa}.crt`);
  }
}

function startPair(mode, certDir) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, certDir], { stdio: 'inherit' });
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${mode} pair exited with ${code}`)));
  });
}

/** Open loop at RATE for SECONDS over 10 keep-alive connections: latency of every request, in ms. */
async function fixedRate(port) {
  const { Pool, request } = require('undici');
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 10, pipelining: 1 });
  const latencies = [];
  let failures = 0;
  const total = RATE * SECONDS;
  const t0 = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      request(`http://127.0.0.1:${port}/`, { dispatcher: pool, headers: { host: 'reviews' } })
        .then(async (res) => {
          await res.body.text();
          if (res.statusCode !== 200) failures++;
          latencies.push(performance.now() - due);
        })
        .catch(() => failures++),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const certDir = mkdtempSync(join(tmpdir(), 'weft-mtls-bench-'));
  try {
    mintCertificates(certDir);
    const pairs = { plain: await startPair('plain', certDir), mtls: await startPair('mtls', certDir) };
    for (const p of Object.values(pairs)) await fixedRate(p.port); // warm-up (connections, JIT)
    const results = { plain: [], mtls: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? ['plain', 'mtls'] : ['mtls', 'plain']) {
        const r = await fixedRate(pairs[mode].port);
        results[mode].push({ p50: pct(r.latencies, 50), p99: pct(r.latencies, 99), failures: r.failures });
      }
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([mode, rs]) => [mode, { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), failures: rs.reduce((a, r) => a + r.failures, 0) }]),
    );
    process.stdout.write(`proxy pair at ${RATE} rps, ${ROUNDS} × ${SECONDS} s interleaved rounds (medians)\n`);
    for (const [mode, s] of Object.entries(summary)) process.stdout.write(`  ${mode.padEnd(6)} p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  failures ${s.failures}\n`);
    process.stdout.write(`  mTLS adds p99 ${(summary.mtls.p99 - summary.plain.p99).toFixed(2)} ms (×${(summary.mtls.p99 / summary.plain.p99).toFixed(2)}), p50 ${(summary.mtls.p50 - summary.plain.p50).toFixed(2)} ms\n`);
    process.stdout.write(`${JSON.stringify({ rate: RATE, seconds: SECONDS, rounds: ROUNDS, ...summary })}\n`);
    for (const p of Object.values(pairs)) p.child.kill('SIGKILL');
  } finally {
    rmSync(certDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await servePair(process.argv[3], process.argv[4]);
else await main();
