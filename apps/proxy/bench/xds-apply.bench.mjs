#!/usr/bin/env node
// Cost of applying an EDS-only update (one cluster's endpoints change) to a running proxy, with the
// xDS assembler's cluster-only path (listener models unchanged: clusters updated in place, no route
// table compiled) against a full re-apply (every listener's route table and filters recompiled).
//
//   npx nx run proxy:build && node apps/proxy/bench/xds-apply.bench.mjs
//
// Environment: WEFT_BENCH_VHOSTS (virtual hosts = clusters, 500), WEFT_BENCH_ITERATIONS (200).
import { createRequire } from 'node:module';
import pino from 'pino';

const require = createRequire(import.meta.url);
const { loadBootstrap } = require('../dist/config/index.js');
const { Proxy } = require('../dist/proxy.js');

const VHOSTS = Number(process.env.WEFT_BENCH_VHOSTS ?? 500);
const ITERATIONS = Number(process.env.WEFT_BENCH_ITERATIONS ?? 200);

function bootstrap() {
  const vhosts = [];
  const clusters = [];
  for (let i = 0; i < VHOSTS; i++) {
    vhosts.push(`            - name: svc${i}
              domains: ["svc${i}:9080", "svc${i}.default.svc.cluster.local:9080"]
              routes:
              - match: { prefix: /api/v2/ }
                route: { cluster: c${i}, prefix_rewrite: /v2/, retry_policy: { retry_on: 5xx, num_retries: 2 } }
              - match: { safe_regex: { regex: "^/items/[0-9]+$" } }
                route: { cluster: c${i} }
              - match: { prefix: / }
                route: { cluster: c${i} }`);
    clusters.push(`  - name: c${i}
    load_assignment: { cluster_name: c${i}, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 10.0.${i >> 8}.${i & 255}, port_value: 9080 } } } }] }] }`);
  }
  return `static_resources:
  listeners:
  - name: outbound
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: outbound
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          route_config:
            name: outbound
            virtual_hosts:
${vhosts.join('\n')}
  clusters:
${clusters.join('\n')}
`;
}

/** The snapshot with cluster c<i>'s endpoint moved to another port; `fresh` also copies the listeners. */
function edsUpdate(snapshot, i, fresh) {
  const clusters = new Map(snapshot.clusters);
  const c = clusters.get(`c${i % VHOSTS}`);
  clusters.set(c.name, Object.freeze({ ...c, endpoints: [{ ...c.endpoints[0], port: 10000 + i }] }));
  const listeners = fresh ? snapshot.listeners.map((l) => Object.freeze({ ...l })) : snapshot.listeners;
  return Object.freeze({ ...snapshot, version: `v${i}`, listeners, clusters });
}

async function measure(proxy, base, fresh) {
  const times = [];
  let snapshot = base;
  for (let i = 0; i < ITERATIONS; i++) {
    snapshot = edsUpdate(snapshot, i, fresh);
    const t0 = performance.now();
    await proxy.apply(snapshot);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)] };
}

const base = loadBootstrap(bootstrap(), 'bench.yaml').snapshot;
const proxy = new Proxy({ logger: pino({ level: 'silent' }), parseConfig: () => base, accessLog: 'off', workload: 'bench', namespace: 'default', drainTimeoutMs: 100, adminPort: null });
await proxy.apply(base);
const rounds = [];
for (let r = 0; r < 3; r++) rounds.push({ clusterOnly: await measure(proxy, base, false), full: await measure(proxy, base, true) });
const fmt = (x) => x.toFixed(3);
console.log(`EDS-only update, ${VHOSTS} virtual hosts / clusters, ${ITERATIONS} applies per round (ms per apply):`);
for (const [i, r] of rounds.entries()) {
  console.log(`  round ${i + 1}: cluster-only path median ${fmt(r.clusterOnly.median)} p99 ${fmt(r.clusterOnly.p99)} | full re-apply median ${fmt(r.full.median)} p99 ${fmt(r.full.p99)}`);
}
await proxy.close();
