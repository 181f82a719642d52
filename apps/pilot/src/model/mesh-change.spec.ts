import { TYPE_URL, type TypeUrl } from '@weft/xds';
import { bookinfo, bookinfoRules, ratings, REVIEWS_DR, REVIEWS_FQDN, reviews, reviewsInstances } from './bookinfo.spec-helper';
import { decoded, instance, proxyNode, rules, service } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';
import type { MeshChange } from './xds-contract';

const weft = proxyNode('weft');
const RATINGS = 'ratings.default.svc.cluster.local';
const cluster = (subset: string, host = REVIEWS_FQDN, port = 9080) => `outbound|${port}|${subset}|${host}`;
const REVIEWS_CLUSTERS = ['', 'v1', 'v2', 'v3'].map((s) => cluster(s));

function setup(): { m: MeshModel; changes: MeshChange[] } {
  let clock = 1_000;
  const m = new MeshModel({ now: () => clock++ });
  m.replaceServices(bookinfo());
  m.replaceRules(bookinfoRules());
  const changes: MeshChange[] = [];
  m.onChange((c) => changes.push(c));
  return { m, changes };
}

/** A change as plain data: names by short type, wildcard types. */
function summary(c: MeshChange): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [t, names] of c.resources) out[short(t)] = [...names].sort();
  if (c.wildcard.size > 0) out.wildcard = [...c.wildcard].map(short).sort();
  return out;
}

const short = (t: TypeUrl) => ({ [TYPE_URL.listener]: 'lds', [TYPE_URL.routeConfiguration]: 'rds', [TYPE_URL.virtualHost]: 'vhds', [TYPE_URL.cluster]: 'cds', [TYPE_URL.clusterLoadAssignment]: 'eds' })[t];

describe('MeshChange precision and the resource cache', () => {
  it('an instance change emits only the EDS names of that service; nothing else is rebuilt', () => {
    const { m, changes } = setup();
    const before = {
      ratingsEds: m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('', RATINGS)),
      v1: m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('v1')),
      v2: m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('v2')),
      cds: m.provider.resource(TYPE_URL.cluster, weft, cluster('v1')),
      vhost: m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080'),
    };
    m.upsertService({ service: reviews, instances: reviewsInstances({ v1: 'unhealthy' }) });
    expect(changes.map(summary)).toEqual([{ eds: [...REVIEWS_CLUSTERS].sort() }]);
    expect(changes[0].seenAt).toBeGreaterThan(1_000);
    const builds = m.stats().builds.get(TYPE_URL.clusterLoadAssignment) ?? 0;
    expect(m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('', RATINGS))).toBe(before.ratingsEds);
    expect(m.provider.resource(TYPE_URL.cluster, weft, cluster('v1'))).toBe(before.cds);
    expect(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080')).toBe(before.vhost);
    expect(m.stats().builds.get(TYPE_URL.clusterLoadAssignment)).toBe(builds);
    const v1 = m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('v1'));
    expect(v1).not.toBe(before.v1);
    expect(v1?.version).not.toBe(before.v1?.version);
    // v2 was named (same service) and rebuilt, but its content is unchanged: the same object.
    expect(m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster('v2'))).toBe(before.v2);
  });

  it('an upsert that changes nothing emits nothing', () => {
    const { m, changes } = setup();
    m.upsertService({ service: reviews, instances: [...reviewsInstances()].reverse() });
    expect(changes).toEqual([]);
  });

  it('a service added: its clusters, endpoints and virtual hosts, the wildcard types, and names asked for before it existed', () => {
    const { m, changes } = setup();
    expect(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/mongo:27017')).toBeNull();
    expect(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/mongo.default:27017')).toBeNull();
    const mongo = service('default', 'mongo', [['tcp', 27017, 'tcp']]);
    m.upsertService({ service: mongo, instances: [instance(mongo, 'm1', '10.0.9.1')] });
    const name = 'outbound|27017||mongo.default.svc.cluster.local';
    expect(changes.map(summary)).toEqual([
      {
        cds: [name],
        eds: [name],
        vhds: ['outbound/mongo.default.svc.cluster.local:27017', 'outbound/mongo.default:27017', 'outbound/mongo:27017'],
        wildcard: ['cds', 'eds', 'vhds'],
      },
    ]);
    expect(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/mongo:27017')).not.toBeNull();
  });

  it('a service removed: its resources are reported and gone', () => {
    const { m, changes } = setup();
    expect(m.provider.resource(TYPE_URL.cluster, weft, cluster('', RATINGS))).not.toBeNull();
    m.removeService('default', 'ratings');
    expect(summary(changes[0])).toMatchObject({ cds: [cluster('', RATINGS)], eds: [cluster('', RATINGS)], wildcard: ['cds', 'eds', 'vhds'] });
    expect(m.provider.resource(TYPE_URL.cluster, weft, cluster('', RATINGS))).toBeNull();
  });

  it('a VirtualService change emits the virtual hosts of its host only (canonical and asked-for names)', () => {
    const { m, changes } = setup();
    const ratingsVhost = m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/ratings:9080');
    m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080');
    m.replaceRules(
      rules(`${REVIEWS_DR}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v3}}]
`),
    );
    expect(changes.map(summary)).toEqual([{ vhds: ['outbound/reviews.default.svc.cluster.local:9080', 'outbound/reviews:9080'] }]);
    expect(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/ratings:9080')).toBe(ratingsVhost);
  });

  it('a DestinationRule change emits the clusters of its host under the old and the new subsets, and its routes', () => {
    const { m, changes } = setup();
    m.replaceRules(
      rules(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v4, labels: {version: v4}}
`),
    );
    const all = [...REVIEWS_CLUSTERS, cluster('v4')].sort();
    expect(changes.map(summary)).toEqual([{ cds: all, eds: all, vhds: ['outbound/reviews.default.svc.cluster.local:9080'], wildcard: ['cds', 'eds', 'vhds'] }]);
    expect(m.provider.resource(TYPE_URL.cluster, weft, cluster('v2'))).toBeNull();
    expect(m.provider.resource(TYPE_URL.cluster, weft, cluster('v4'))).not.toBeNull();
  });

  it('a DestinationRule change reaches the routes of the VirtualServices that route to its host (hash policy)', () => {
    const { m, changes } = setup();
    const toRatings = `${REVIEWS_DR}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: ratings}}]}]
`;
    m.replaceRules(rules(toRatings));
    m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080');
    changes.length = 0;
    m.replaceRules(rules(`${toRatings}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: default}
spec:
  host: ratings
  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
`));
    expect(summary(changes[0]).vhds).toEqual(['outbound/ratings.default.svc.cluster.local:9080', 'outbound/reviews.default.svc.cluster.local:9080', 'outbound/reviews:9080']);
    const vhost = decoded(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080'));
    expect(vhost.routes).toEqual([expect.objectContaining({ route: expect.objectContaining({ hash_policy: [{ header: { header_name: 'x-user' } }] }) })]);
  });

  it('gRPC names asked for before the service existed are reported when it appears', () => {
    const { m, changes } = setup();
    const grpc = proxyNode('grpc');
    expect(m.provider.resource(TYPE_URL.listener, grpc, 'echo:50051')).toBeNull();
    expect(m.provider.resource(TYPE_URL.routeConfiguration, grpc, 'echo:50051')).toBeNull();
    const echo = service('default', 'echo', [['grpc', 50051, 'grpc']]);
    m.upsertService({ service: echo, instances: [instance(echo, 'e1', '10.0.5.1')] });
    expect(summary(changes[0])).toMatchObject({ lds: ['echo:50051'], rds: ['echo:50051'] });
    expect(m.provider.resource(TYPE_URL.listener, grpc, 'echo:50051')).not.toBeNull();
  });

  it('replacing the rules with the same documents emits nothing', () => {
    const { m, changes } = setup();
    m.replaceRules(bookinfoRules());
    expect(changes).toEqual([]);
  });

  it('a full resync reports only what differs', () => {
    const { m, changes } = setup();
    const states = bookinfo().filter((s) => s.service.name !== 'details');
    m.replaceServices(states.map((s) => (s.service === ratings ? { service: ratings, instances: [] } : s)));
    const c = summary(changes[0]);
    expect(c.eds).toEqual(['outbound|80||details.default.svc.cluster.local', cluster('', RATINGS)]);
    expect(c.cds).toEqual(['outbound|80||details.default.svc.cluster.local']);
  });

  it('listeners can unsubscribe', () => {
    const { m, changes } = setup();
    const seen: MeshChange[] = [];
    const off = m.onChange((c) => seen.push(c));
    off();
    m.removeService('default', 'ratings');
    expect(seen).toEqual([]);
    expect(changes).toHaveLength(1);
  });
});
