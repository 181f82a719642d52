import type { Instance } from '@weft/api';
import { TYPE_URL } from '@weft/xds';
import { instance, proxyNode, rules, service } from './mesh-fixtures.spec-helper';
import { MeshModel, type ServiceState } from './mesh-model';
import type { MeshChange } from './xds-contract';

const SERVICES = 10_000;
const INSTANCES = 5;
const NAMESPACES = 100;

function state(i: number, generation = 0): ServiceState {
  const svc = service(`ns-${i % NAMESPACES}`, `svc-${i}`, [['http', 8080]]);
  const instances: Instance[] = [];
  for (let j = 0; j < INSTANCES; j++) {
    const address = `10.${(i >> 8) & 255}.${i & 255}.${j + 1 + generation}`;
    instances.push(instance(svc, `svc-${i}-${j}`, address, { labels: { version: j % 2 === 0 ? 'v1' : 'v2' }, locality: `r/z${j % 3}` }));
  }
  return { service: svc, instances };
}

const DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: svc-7, namespace: ns-7}
spec:
  host: svc-7
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
`;

const edsName = (i: number) => `outbound|8080||svc-${i}.ns-${i % NAMESPACES}.svc.cluster.local`;

describe('MeshModel at scale (10k services, 50k endpoints)', () => {
  const m = new MeshModel();
  const states = Array.from({ length: SERVICES }, (_, i) => state(i));
  m.replaceServices(states);
  m.replaceRules(rules(DR));
  const node = proxyNode('weft');
  const subscribed = Array.from({ length: 1000 }, (_, i) => i * 10);
  const edsBuilds = () => m.stats().builds.get(TYPE_URL.clusterLoadAssignment) ?? 0;

  it('builds, and generates nothing until asked', () => {
    expect(m.stats().services).toBe(SERVICES);
    expect(edsBuilds()).toBe(0);
    for (const i of subscribed) expect(m.provider.resource(TYPE_URL.clusterLoadAssignment, node, edsName(i))).not.toBeNull();
    expect(edsBuilds()).toBe(subscribed.length);
  });

  it('one endpoint change: a change set of one service’s EDS names, no generation on the change, one rebuild on request', () => {
    const changes: MeshChange[] = [];
    const off = m.onChange((c) => changes.push(c));
    const cached = subscribed.map((i) => m.provider.resource(TYPE_URL.clusterLoadAssignment, node, edsName(i)));
    const before = edsBuilds();
    m.upsertService(state(10, 1));
    off();
    expect(changes).toHaveLength(1);
    expect([...changes[0].resources.keys()]).toEqual([TYPE_URL.clusterLoadAssignment]);
    expect([...(changes[0].resources.get(TYPE_URL.clusterLoadAssignment) ?? [])]).toEqual([edsName(10)]);
    expect(changes[0].wildcard.size).toBe(0);
    expect(edsBuilds()).toBe(before);
    const after = subscribed.map((i) => m.provider.resource(TYPE_URL.clusterLoadAssignment, node, edsName(i)));
    expect(edsBuilds()).toBe(before + 1);
    expect(after.filter((r, k) => r !== cached[k]).map((r) => r?.name)).toEqual([edsName(10)]);
  });

  it('an endpoint change of a service with subsets names its subset clusters too (ports × (subsets + 1))', () => {
    const changes: MeshChange[] = [];
    const off = m.onChange((c) => changes.push(c));
    m.upsertService(state(7, 1));
    off();
    expect([...(changes[0].resources.get(TYPE_URL.clusterLoadAssignment) ?? [])].sort()).toEqual(
      ['', 'v1', 'v2'].map((s) => `outbound|8080|${s}|svc-7.ns-7.svc.cluster.local`).sort(),
    );
  });

  it('a rule change for one host names that host’s resources only', () => {
    const changes: MeshChange[] = [];
    const off = m.onChange((c) => changes.push(c));
    m.replaceRules(
      rules(`${DR}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: svc-3, namespace: ns-3}
spec:
  hosts: [svc-3]
  http: [{route: [{destination: {host: svc-3}}], timeout: 1s}]
`),
    );
    off();
    expect([...changes[0].resources.entries()].map(([t, n]) => [t, [...n]])).toEqual([[TYPE_URL.virtualHost, ['outbound/svc-3.ns-3.svc.cluster.local:8080']]]);
    expect(changes[0].wildcard.size).toBe(0);
  });
});
