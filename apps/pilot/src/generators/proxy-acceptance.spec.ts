import { decodeResource, encodeResource, TYPE_URL, type EncodedResource, type TypeUrl } from '@weft/xds';
import { WeftError } from '@weft/shared';
import { claFromProto, clusterFromProto, listenerFromProto, routeConfigFromProto } from '../../../proxy/src/config/resource.converters';
import { MeshModel } from '../model/mesh-model';
import { instance, proxyNode, rules, service } from '../model/mesh-fixtures.spec-helper';

/**
 * Every resource pilot generates for a weft-proxy, decoded from its bytes as the proxy's xDS client
 * sees it, goes through the proxy's own converters (its strict support matrix: an unsupported field
 * is a NACK). Tolerated: what the proxy is gaining concurrently — EDS-type clusters and VHDS.
 */
const PENDING: Readonly<Record<string, readonly string[]>> = {
  [TYPE_URL.cluster]: ['type', 'eds_cluster_config'],
  [TYPE_URL.routeConfiguration]: ['vhds'],
};

function proxyProblems(typeUrl: TypeUrl, resource: EncodedResource | null): string[] {
  if (resource === null) return ['(no resource)'];
  const obj = decodeResource(resource.any);
  try {
    if (typeUrl === TYPE_URL.listener) listenerFromProto(obj);
    else if (typeUrl === TYPE_URL.cluster) clusterFromProto(obj);
    else if (typeUrl === TYPE_URL.routeConfiguration) routeConfigFromProto(obj);
    else if (typeUrl === TYPE_URL.clusterLoadAssignment) claFromProto(obj);
    else routeConfigFromProto({ name: 'vhds-check', virtual_hosts: [obj] });
    return [];
  } catch (err) {
    if (!(err instanceof WeftError)) throw err;
    const pending = PENDING[typeUrl] ?? [];
    return err.issues.filter((i) => !pending.includes(i.path)).map((i) => `${i.path}: ${i.message}`);
  }
}

const RULES = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {consistentHash: {httpCookie: {name: user, ttl: 0s}}}
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 1s}
      http: {http1MaxPendingRequests: 10, maxRequestsPerConnection: 10, idleTimeout: 30s}
    outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 2, interval: 5s, baseEjectionTime: 30s}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 65537}}}}
  - name: v3
    labels: {version: v3}
    trafficPolicy: {loadBalancer: {simple: RANDOM}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new, redirectCode: 308}
  - match: [{uri: {exact: /down}}]
    directResponse: {status: 503, body: {string: maintenance}}
  - match: [{headers: {end-user: {exact: jason}}, method: {exact: GET}, queryParams: {debug: {regex: "on|yes"}}, ignoreUriCase: true, uri: {prefix: /Reviews}}]
    fault: {delay: {fixedDelay: 1s, percentage: {value: 50}}, abort: {grpcStatus: UNAVAILABLE, percentage: {value: 1}}}
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{withoutHeaders: {x-canary: {}}}]
    timeout: 3s
    retries: {attempts: 3, perTryTimeout: 1s, retryOn: "gateway-error,503"}
    mirror: {host: reviews, subset: v3}
    mirrorPercentage: {value: 12.5}
    rewrite: {uriRegexRewrite: {match: "^/api/(.*)", rewrite: "/\\\\1"}, authority: reviews.internal}
    headers: {request: {set: {x-a: "1"}, remove: [x-b]}, response: {add: {x-c: "2"}}}
    route:
    - destination: {host: reviews, subset: v1}
      weight: 90
      headers: {request: {set: {x-v: "1"}}}
    - destination: {host: reviews, subset: v2}
      weight: 10
`;

describe('weft-proxy accepts every resource pilot generates for it', () => {
  const model = new MeshModel();
  const reviews = service('default', 'reviews');
  const ratings = service('default', 'ratings', [['grpc', 50051, 'grpc']]);
  model.replaceServices([
    {
      service: reviews,
      instances: ['v1', 'v2', 'v3'].map((v, i) => instance(reviews, `r${i}`, `10.0.0.${i + 1}`, { labels: { version: v }, locality: 'eu/eu-1/a', weight: i + 1 })),
    },
    { service: ratings, instances: [instance(ratings, 'g1', '10.0.1.1')] },
  ]);
  model.replaceRules(rules(RULES));
  const node = proxyNode('weft');
  const subsets = ['', 'v1', 'v2', 'v3'];

  it.each<[TypeUrl, string]>([
    [TYPE_URL.listener, 'outbound'],
    [TYPE_URL.listener, 'inbound'],
    [TYPE_URL.routeConfiguration, 'outbound'],
    [TYPE_URL.cluster, 'inbound|9080||'],
    ...subsets.map((s): [TypeUrl, string] => [TYPE_URL.cluster, `outbound|9080|${s}|reviews.default.svc.cluster.local`]),
    ...subsets.map((s): [TypeUrl, string] => [TYPE_URL.clusterLoadAssignment, `outbound|9080|${s}|reviews.default.svc.cluster.local`]),
    [TYPE_URL.cluster, 'outbound|50051||ratings.default.svc.cluster.local'],
    [TYPE_URL.virtualHost, 'outbound/reviews:9080'],
    [TYPE_URL.virtualHost, 'outbound/reviews.default.svc.cluster.local:9080'],
    [TYPE_URL.virtualHost, 'outbound/ratings:50051'],
  ])('%s %s', (typeUrl, name) => {
    expect(proxyProblems(typeUrl, model.provider.resource(typeUrl, node, name))).toEqual([]);
  });

  it('the check is not vacuous: a field the proxy does not honour is reported', () => {
    const bad = encodeResource(TYPE_URL.cluster, 'x', { name: 'x', type: 'STATIC', health_checks: [{ timeout: { seconds: 1 } }] });
    expect(proxyProblems(TYPE_URL.cluster, bad)).toEqual([expect.stringMatching(/^health_checks: not supported by weft-proxy/)]);
  });
});
