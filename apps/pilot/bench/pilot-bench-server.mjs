// The pilot side of apps/pilot/bench/pilot.bench.mjs, in its own process so its RSS is pilot's alone:
// the real MeshModel and XdsServer (built dist) on a port, fed a synthetic registry of M services with
// E endpoints each, driven over IPC: {cmd: 'churn', service} replaces one endpoint of one service (what
// a registry instance event does); {cmd: 'rss'} reports memory. `--baseline` runs the floor instead:
// the same gRPC delta streams, but a server that keeps a subscriber map and sends one pre-encoded
// ClusterLoadAssignment per change, without pilot's model, generators, versions or push queue.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const grpc = require('@grpc/grpc-js');
const { Registry } = require('prom-client');
const { adsDefinition, encodeResource, TYPE_URL } = require('@weft/xds');
const { createLogger } = require('@weft/shared');

const [services, endpoints] = [Number(process.argv[2]), Number(process.argv[3])];
const baseline = process.argv.includes('--baseline');
const NS = 'bench';
const PORT = 8080;

export const clusterName = (i) => `outbound|${PORT}||svc-${i}.${NS}.svc.cluster.local`;

function service(i) {
  return {
    namespace: NS, name: `svc-${i}`, hosts: [`svc-${i}.${NS}.svc.cluster.local`], ports: [{ name: 'http', number: PORT, protocol: 'http' }],
    labels: {}, healthCheck: null, source: 'api', revision: 1, createdAt: 0, updatedAt: 0,
  };
}

function instance(i, j, generation) {
  const n = i * endpoints + j;
  return {
    // A new generation moves the endpoint to another port: new content, as when an instance is replaced.
    id: `svc-${i}-${j}-${generation}`, address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, ports: { http: 20000 + generation }, labels: { app: `svc-${i}`, version: 'v1' },
    weight: 1, locality: null, metadata: {}, ttlSeconds: null, graceSeconds: 60, draining: false, namespace: NS, service: `svc-${i}`,
    source: 'api', status: 'healthy', ttl: 'none', probe: 'none', registeredAt: 0, lastHeartbeat: 0, updatedAt: 0,
  };
}

const generation = new Map();
function stateOf(i) {
  const g = generation.get(i) ?? 0;
  return { service: service(i), instances: Array.from({ length: endpoints }, (_, j) => instance(i, j, j === 0 ? g : 0)) };
}

function startPilot() {
  const { MeshModel } = require(join(dist, 'model/index.js'));
  const { XdsServer } = require(join(dist, 'server/xds-server.js'));
  const { XdsMetrics } = require(join(dist, 'server/xds-metrics.js'));
  const model = new MeshModel();
  model.replaceServices(Array.from({ length: services }, (_, i) => stateOf(i)));
  const xds = new XdsServer({
    provider: model.provider,
    status: { update: () => undefined, disconnected: () => undefined },
    replica: 'bench',
    logger: createLogger('pilot-bench', { level: 'warn' }),
    metrics: new XdsMetrics(new Registry()),
  });
  model.onChange((c) => xds.onMeshChange(c));
  return { addTo: (s) => xds.addTo(s), churn: (i) => model.upsertService(stateOf(i)) };
}

/** The floor: subscriber map + one pre-encoded resource per change, nothing else. */
function startBaseline() {
  const subscribers = new Map();
  let nonce = 0;
  const cla = (i) => encodeResource(TYPE_URL.clusterLoadAssignment, clusterName(i), {
    cluster_name: clusterName(i),
    endpoints: [{ locality: {}, load_balancing_weight: { value: endpoints }, lb_endpoints: stateOf(i).instances.map((x) => ({ endpoint: { address: { socket_address: { address: x.address, port_value: x.ports.http } } }, load_balancing_weight: { value: 1 } })) }],
  });
  const send = (call, r) => call.write({ system_version_info: '', type_url: TYPE_URL.clusterLoadAssignment, nonce: String(++nonce), removed_resources: [], resources: [{ name: r.name, version: r.version, resource: r.any }] });
  const handler = (call) => call.on('data', (req) => {
    for (const name of req.resource_names_subscribe ?? []) {
      const i = Number(name.split('|')[3].split('.')[0].slice(4));
      if (!subscribers.has(i)) subscribers.set(i, new Set());
      subscribers.get(i).add(call);
      send(call, cla(i));
    }
  });
  return {
    addTo: (s) => s.addService(adsDefinition().service, { DeltaAggregatedResources: handler, StreamAggregatedResources: (c) => c.end() }),
    churn: (i) => {
      const r = cla(i);
      for (const call of subscribers.get(i) ?? []) send(call, r);
    },
  };
}

const core = baseline ? startBaseline() : startPilot();
const server = new grpc.Server({ 'grpc.max_concurrent_streams': 100000 });
core.addTo(server);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ ready: true, port, rss: process.memoryUsage().rss });
});
process.on('message', (m) => {
  if (m.cmd === 'churn') {
    generation.set(m.service, (generation.get(m.service) ?? 0) + 1);
    process.send({ churned: m.service, at: process.hrtime.bigint().toString() });
    core.churn(m.service);
  } else if (m.cmd === 'rss') {
    globalThis.gc?.();
    process.send({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  } else if (m.cmd === 'exit') process.exit(0);
});
