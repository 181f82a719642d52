#!/usr/bin/env node
// Micro benchmark of the RBAC filter's per-request decision (the built dist: `npx nx run proxy:build`
// first). Cases, measured in the same run, interleaved over rounds, medians reported:
//   none         the filter chain without an RBAC filter (the "before")
//   allow-1      ALLOW with one policy (GET and a path prefix), request allowed
//   istio-13     what pilot generates for 3 DENY + 10 ALLOW AuthorizationPolicy rules (methods, paths,
//                ports, principals, namespaces, headers); request allowed by the LAST policy (worst case)
//   denied       the same filters, request denied by a DENY policy (403 reply, counter increment)
//
// Environment: WEFT_BENCH_ITERATIONS (200000 per round), WEFT_BENCH_ROUNDS (5).
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dist = (p) => require(resolve(HERE, '..', 'dist', p));
const { loadBootstrap } = dist('config/bootstrap.loader.js');
const { buildFilterChain } = dist('filters/filter-chain.js');
const { RequestContext } = dist('listener/request-context.js');
const { Registry } = require('prom-client');

const ITERATIONS = Number(process.env.WEFT_BENCH_ITERATIONS ?? 200_000);
const ROUNDS = Number(process.env.WEFT_BENCH_ROUNDS ?? 5);
const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const NO_OVERRIDES = { route: { fault: null, localRateLimit: null }, vhost: { fault: null, localRateLimit: null } };

const method = (m) => ({ header: { name: ':method', string_match: { exact: m } } });
const prefix = (p) => ({ url_path: { path: { prefix: p } } });
const principal = (sa) => ({ authenticated: { principal_name: { exact: `spiffe://cluster.local/ns/foo/sa/${sa}` } } });
const namespace = (ns) => ({ authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${ns}/sa/.*` } } } });

function chain(rbacConfigs) {
  const filters = rbacConfigs.map((c, i) => ({ name: `rbac-${i}`, typed_config: { '@type': RBAC, ...c } }));
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'inbound',
    route_config: { name: 'inbound', virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|9080||' } }] }] },
    http_filters: [...filters, { name: 'router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  const listener = { name: 'inbound', traffic_direction: 'INBOUND', address: { socket_address: { address: '127.0.0.1', port_value: 15006 } }, filter_chains: [{ filters: [{ name: 'hcm', typed_config: hcm }] }] };
  const endpoint = { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9080 } } } };
  const cluster = { name: 'inbound|9080||', type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: 'inbound|9080||', endpoints: [{ lb_endpoints: [endpoint] }] } };
  const [l] = loadBootstrap(JSON.stringify({ static_resources: { listeners: [listener], clusters: [cluster] } }), 'bench.json').snapshot.listeners;
  return buildFilterChain(l.http.httpFilters, { registry: new Registry(), logger: null, hcm: l.http });
}

function istioLike() {
  const deny = {};
  ['/admin', '/debug', '/internal'].forEach((p, i) => (deny[`ns[foo]-policy[deny-${i}]-rule[0]`] = { permissions: [prefix(p)], principals: [{ any: true }] }));
  const allow = {};
  for (let i = 0; i < 10; i++) {
    const permissions = [{ and_rules: { rules: [method(i % 2 === 0 ? 'GET' : 'POST'), prefix(`/api/v${i}/`), { destination_port: 9080 }] } }];
    const principals = [{ or_ids: { ids: [principal(`client-${i}`), namespace(`team-${i}`)] } }];
    allow[`ns[foo]-policy[allow-${String(i).padStart(2, '0')}]-rule[0]`] = { permissions, principals };
  }
  return [{ rules: { action: 'DENY', policies: deny } }, { rules: { action: 'ALLOW', policies: allow } }];
}

function context(m, path, peer) {
  const req = { method: m, url: path, headers: { host: 'reviews:9080', 'user-agent': 'bench' }, httpVersionMajor: 1, socket: { remoteAddress: '10.0.0.7', localPort: 15006, localAddress: '10.0.0.1' } };
  const ctx = new RequestContext(req, {});
  ctx.peerPrincipal = peer;
  return ctx;
}

const CASES = {
  none: { filters: chain([]), ctx: context('GET', '/api/v0/items?page=2', null), expect: null },
  'allow-1': { filters: chain([{ rules: { action: 'ALLOW', policies: { p: { permissions: [{ and_rules: { rules: [method('GET'), prefix('/api/')] } }], principals: [{ any: true }] } } } }]), ctx: context('GET', '/api/v0/items?page=2', null), expect: null },
  'istio-13': { filters: chain(istioLike()), ctx: context('POST', '/api/v9/items?page=2', 'spiffe://cluster.local/ns/team-9/sa/default'), expect: null },
  denied: { filters: chain(istioLike()), ctx: context('GET', '/internal/x', null), expect: 403 },
};

function decide(filters, ctx) {
  for (let i = 0; i < filters.length; i++) {
    const r = filters[i].decode(ctx, NO_OVERRIDES);
    if (r !== null) return r.status;
  }
  return null;
}

function run(c) {
  const start = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < ITERATIONS; i++) sink += decide(c.filters, c.ctx) ?? 1;
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (sink === 0) throw new Error('unreachable');
  return ns;
}

for (const [name, c] of Object.entries(CASES)) {
  const got = decide(c.filters, c.ctx);
  if (got !== c.expect) throw new Error(`${name}: expected ${c.expect}, got ${got}`);
  run(c); // warm-up
}
const samples = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, c] of Object.entries(CASES)) samples[name].push(run(c));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`RBAC decision per request (node ${process.version}, ${ITERATIONS} iterations × ${ROUNDS} rounds, median ns)`);
for (const [name, xs] of Object.entries(samples)) console.log(`  ${name.padEnd(10)} ${median(xs).toFixed(0).padStart(6)} ns`);
