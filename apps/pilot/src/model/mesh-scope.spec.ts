import { TYPE_URL } from '@weft/xds';
import { bookinfo, REVIEWS_DR } from './bookinfo.spec-helper';
import { decoded, instance, proxyNode, rules, service } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';
import type { MeshChange } from './xds-contract';

const productpage = proxyNode('weft');
const ratingsNode = proxyNode('weft', { labels: { app: 'ratings' }, appPort: null });
const prodNode = proxyNode('envoy', { namespace: 'prod', labels: { app: 'web' }, appPort: null });

function sidecar(name: string, namespace: string, body: string): string {
  return `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${body.replace(/^/gm, '  ')}
---
`;
}

function model(ruleYaml: string): MeshModel {
  const m = new MeshModel();
  const web = service('prod', 'web', [['http', 8000]]);
  m.replaceServices([...bookinfo(), { service: web, instances: [instance(web, 'w1', '10.1.0.1')] }]);
  m.replaceRules(rules(`${ruleYaml}${REVIEWS_DR}`));
  return m;
}

const vhds = (m: MeshModel, node = productpage) => [...m.provider.wildcardNames(TYPE_URL.virtualHost, node)].sort();

describe('Sidecar egress scope → wildcard name sets', () => {
  it('no Sidecar: nothing by wildcard but the inbound cluster (hosts are learnt on demand)', () => {
    const m = model('');
    expect(vhds(m)).toEqual([]);
    expect(m.provider.wildcardNames(TYPE_URL.cluster, productpage)).toEqual(['inbound|9080||']);
    expect(m.provider.wildcardNames(TYPE_URL.clusterLoadAssignment, productpage)).toEqual([]);
  });

  it('a namespace-wide Sidecar: its egress hosts; CDS/EDS include the subset clusters', () => {
    const m = model(sidecar('default', 'default', 'egress: [{hosts: ["./*"]}]'));
    expect(vhds(m)).toEqual([
      'outbound/details.default.svc.cluster.local:80',
      'outbound/ratings.default.svc.cluster.local:9080',
      'outbound/reviews.default.svc.cluster.local:9080',
    ]);
    expect(m.provider.wildcardNames(TYPE_URL.cluster, productpage)).toEqual(expect.arrayContaining(['inbound|9080||', 'outbound|9080|v2|reviews.default.svc.cluster.local']));
    expect(m.provider.wildcardNames(TYPE_URL.clusterLoadAssignment, productpage)).toHaveLength(6);
    expect(m.provider.wildcardNames(TYPE_URL.listener, productpage)).toEqual(['outbound', 'inbound']);
  });

  it('a workload-selected Sidecar wins over the namespace-wide one, for the workloads it selects', () => {
    const m = model(
      sidecar('default', 'default', 'egress: [{hosts: ["./*"]}]') +
        sidecar('productpage', 'default', 'workloadSelector: {labels: {app: productpage}}\negress: [{hosts: ["default/reviews.default.svc.cluster.local", "prod/*"]}]'),
    );
    expect(vhds(m)).toEqual(['outbound/reviews.default.svc.cluster.local:9080', 'outbound/web.prod.svc.cluster.local:8000']);
    expect(vhds(m, ratingsNode)).toHaveLength(3);
  });

  it('the root-namespace Sidecar applies where a namespace has none; `.` is the workload’s namespace', () => {
    const m = model(sidecar('default', 'istio-system', 'egress: [{hosts: ["./*", "default/details.default.svc.cluster.local"]}]'));
    expect(vhds(m, prodNode)).toEqual(['outbound/details.default.svc.cluster.local:80', 'outbound/web.prod.svc.cluster.local:8000']);
  });

  it('exclusions (`~ns/host`) and egress ports narrow the set', () => {
    const m = model(sidecar('default', 'default', 'egress: [{port: {number: 9080, protocol: HTTP, name: http}, hosts: ["*/*", "~default/ratings.default.svc.cluster.local"]}]'));
    expect(vhds(m)).toEqual(['outbound/reviews.default.svc.cluster.local:9080']);
  });

  it('a Sidecar change marks the wildcard types and the sets follow', () => {
    const m = model('');
    const changes: MeshChange[] = [];
    m.onChange((c) => changes.push(c));
    expect(vhds(m)).toEqual([]);
    m.replaceRules(rules(sidecar('default', 'default', 'egress: [{hosts: ["./details.default.svc.cluster.local"]}]') + REVIEWS_DR));
    expect([...changes[0].wildcard].sort()).toEqual([TYPE_URL.cluster, TYPE_URL.clusterLoadAssignment, TYPE_URL.virtualHost].sort());
    expect(vhds(m)).toEqual(['outbound/details.default.svc.cluster.local:80']);
  });
});

describe('ServiceEntry and WorkloadEntry', () => {
  const ENTRIES = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: default}
spec:
  hosts: [payments.example.com]
  ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}]
  resolution: STATIC
  location: MESH_EXTERNAL
  endpoints:
  - {address: 192.0.2.10, locality: us/us-east-1}
  - {address: 192.0.2.11, ports: {http: 9090}, weight: 3}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: default}
spec:
  hosts: [legacy.internal]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: legacy}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1, namespace: default}
spec: {address: 10.9.0.1, labels: {app: legacy}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-2, namespace: other}
spec: {address: 10.9.0.2, labels: {app: legacy}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dns, namespace: default}
spec:
  hosts: [dns.example.com]
  ports: [{number: 443, name: https, protocol: HTTPS}]
  resolution: DNS
---
`;
  type Cla = { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string; port_value: number } } } }[] }[] };
  const endpointsOf = (m: MeshModel, name: string) =>
    (decoded(m.provider.resource(TYPE_URL.clusterLoadAssignment, productpage, name)) as Cla).endpoints.flatMap((g) =>
      g.lb_endpoints.map((e) => `${e.endpoint.address.socket_address.address}:${e.endpoint.address.socket_address.port_value}`),
    );

  it('STATIC entries are services: clusters, endpoints (targetPort, per-endpoint ports), virtual hosts by their host', () => {
    const m = model(ENTRIES);
    expect(endpointsOf(m, 'outbound|80||payments.example.com').sort()).toEqual(['192.0.2.10:8080', '192.0.2.11:9090']);
    expect(decoded(m.provider.resource(TYPE_URL.virtualHost, productpage, 'outbound/payments.example.com')).domains).toEqual(['payments.example.com:80', 'payments.example.com']);
  });

  it('workloadSelector selects the WorkloadEntries of the entry’s namespace', () => {
    expect(endpointsOf(model(ENTRIES), 'outbound|8080||legacy.internal')).toEqual(['10.9.0.1:8080']);
  });

  it('DNS resolution defines no service (analyze reports it)', () => {
    const m = model(ENTRIES);
    expect(m.provider.resource(TYPE_URL.cluster, productpage, 'outbound|443||dns.example.com')).toBeNull();
    expect(m.analyze()).toContainEqual(expect.objectContaining({ level: 'Error', code: 'WEFT0105', document: 'ServiceEntry/default/dns' }));
  });

  it('a WorkloadEntry change reaches the endpoints of the entry that selects it', () => {
    const m = model(ENTRIES);
    const changes: MeshChange[] = [];
    m.onChange((c) => changes.push(c));
    m.replaceRules(rules(`${ENTRIES.replace('address: 10.9.0.1', 'address: 10.9.0.5')}${REVIEWS_DR}`));
    expect([...(changes[0].resources.get(TYPE_URL.clusterLoadAssignment) ?? [])]).toEqual(['outbound|8080||legacy.internal']);
    expect(changes[0].resources.has(TYPE_URL.cluster)).toBe(false);
    expect(endpointsOf(m, 'outbound|8080||legacy.internal')).toEqual(['10.9.0.5:8080']);
  });
});
