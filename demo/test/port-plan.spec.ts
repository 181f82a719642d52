import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { socketSites, type SocketSite } from '../src/bootstrap/bootstrap-sockets';
import { composeBootstrap } from '../src/bootstrap/compose-bootstrap';
import { DEMO_DIR, loadPortPlan, type Workload } from '../src/bootstrap/port-plan';
import { REPO_ROOT } from './test-helpers';

/**
 * demo/workloads.json is the port plan that scripts/up.mjs starts the demo from; the bootstraps,
 * their compose variants, deploy/compose.yaml and the registry's static file must all agree with it.
 */
const plan = loadPortPlan();
const local = (w: Workload): string => readFileSync(join(DEMO_DIR, 'bootstrap', `${w.name}.yaml`), 'utf8');
const byInbound = new Map(plan.workloads.map((w) => [w.inbound, w]));

/** Ports that other parts of Weft use by default (shared/DESIGN.md), plus NATS and Redis. */
const TAKEN = [4222, 6379, 8060, 8061, 8700, 8701, 8710, 8711, 9411, 15000, 15001, 15006, 15010, 15012, 15014];

function portsOf(w: Workload): number[] {
  return [w.app, w.admin, w.inbound, ...(w.outbound === null ? [] : [w.outbound])];
}

describe('demo/workloads.json', () => {
  it('gives every port to one purpose only, none that Weft or its servers use', () => {
    const all = plan.workloads.flatMap(portsOf);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((port) => TAKEN.includes(port))).toEqual([]);
    expect(new Set(plan.workloads.map((w) => w.composeAddress)).size).toBe(plan.workloads.length);
  });
});

describe.each(plan.workloads.map((w) => [w.name, w] as const))('demo/bootstrap/%s.yaml', (_name, w) => {
  const sites = socketSites(local(w));
  const one = (pred: (s: SocketSite) => boolean): SocketSite[] => sites.filter(pred);

  it('listens where the plan says: admin and INBOUND (and OUTBOUND if it calls anything) on loopback', () => {
    expect(one((s) => s.role === 'admin')).toMatchObject([{ address: '127.0.0.1', port: w.admin }]);
    expect(one((s) => s.direction === 'INBOUND')).toMatchObject([{ address: '127.0.0.1', port: w.inbound }]);
    const outbound = one((s) => s.direction === 'OUTBOUND');
    expect(outbound).toMatchObject(w.outbound === null ? [] : [{ address: '127.0.0.1', port: w.outbound }]);
  });

  it('sends inbound traffic to its app, and outbound traffic to the INBOUND listeners of every workload of the services it calls', () => {
    const endpoints = one((s) => s.role === 'endpoint');
    expect(endpoints.filter((s) => s.owner.startsWith('inbound|'))).toMatchObject([{ address: '127.0.0.1', port: w.app }]);
    const peers = endpoints.filter((s) => s.owner.startsWith('outbound|')).map((s) => byInbound.get(s.port)?.name ?? `unknown port ${s.port}`);
    const expected = plan.workloads.filter((p) => w.calls.includes(p.service)).map((p) => p.name);
    expect(peers.sort()).toEqual(expected.sort());
    for (const s of endpoints.filter((e) => e.owner.startsWith('outbound|'))) {
      const peer = byInbound.get(s.port) as Workload;
      const subset = plan.workloads.filter((p) => p.service === peer.service).length > 1 ? peer.version : '';
      expect(s.owner).toBe(`outbound|${plan.servicePort}|${subset}|${peer.service}.${plan.namespace}.svc.cluster.local`);
    }
  });

  it('has an up-to-date compose variant (npx nx run demo:compose-bootstraps)', () => {
    const compose = readFileSync(join(DEMO_DIR, 'bootstrap', 'compose', `${w.name}.yaml`), 'utf8');
    expect(compose).toBe(composeBootstrap(plan, w, local(w)));
  });
});

describe('productpage → reviews', () => {
  it('splits 50/30/20 across v1/v2/v3, as docs/demo.md says', () => {
    const productpage = plan.workloads.find((w) => w.name === 'productpage') as Workload;
    const text = JSON.stringify(parse(local(productpage)));
    const weights = [...text.matchAll(/"name":"outbound\|9080\|(v\d)\|reviews[^"]*","weight":(\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(weights).toEqual(['v1 50', 'v2 30', 'v3 20']);
  });
});

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  networks?: Record<string, { ipv4_address?: string }>;
  network_mode?: string;
}

describe('deploy/compose.yaml', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'deploy', 'compose.yaml'), 'utf8')) as {
    services: Record<string, ComposeService>;
    networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
  };

  it('puts every demo app at its address on the demo subnet, with its sidecar in its network namespace', () => {
    expect(compose.networks['mesh'].ipam.config[0].subnet).toBe(plan.composeSubnet);
    for (const w of plan.workloads) {
      const app = compose.services[w.name];
      expect(app.networks?.['mesh']?.ipv4_address).toBe(w.composeAddress);
      expect(app.command).toEqual([w.service]);
      expect(app.environment).toMatchObject({ WEFT_DEMO_PORT: String(w.app), WEFT_DEMO_VERSION: w.version });
      if (w.outbound !== null) expect(app.environment?.['WEFT_DEMO_OUTBOUND_URL']).toBe(`http://127.0.0.1:${w.outbound}`);
      const sidecar = compose.services[`${w.name}-proxy`];
      expect(sidecar.network_mode).toBe(`service:${w.name}`);
      expect(sidecar.command).toEqual(['--config', `/etc/weft/${w.name}.yaml`]);
      expect(sidecar.environment?.['WEFT_PROXY_ADMIN_PORT']).toBe(String(w.admin));
    }
  });
});

describe('demo/registry/static.yaml', () => {
  it('registers every workload at its sidecar INBOUND port, labelled with its service and version', () => {
    type Doc = { kind: string; metadata: { name: string }; spec: { ports: { http: number }; labels: { app: string; version: string } } };
    const docs = parseAllDocuments(readFileSync(join(DEMO_DIR, 'registry', 'static.yaml'), 'utf8')).map((d) => d.toJS() as Doc);
    const entries = docs.filter((d) => d.kind === 'WorkloadEntry').map((d) => `${d.spec.labels.app} ${d.spec.labels.version} ${d.spec.ports.http}`);
    expect(entries.sort()).toEqual(plan.workloads.map((w) => `${w.service} ${w.version} ${w.inbound}`).sort());
    const services = docs.filter((d) => d.kind === 'ServiceEntry').map((d) => d.metadata.name);
    expect(services.sort()).toEqual([...new Set(plan.workloads.map((w) => w.service))].sort());
  });
});
