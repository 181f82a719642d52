import { decodeResource, TYPE_URL, type TypeUrl } from '@weft/xds';
import { MeshModel } from '../model/mesh-model';
import { instance, proxyNode, rules, service } from '../model/mesh-fixtures.spec-helper';

/**
 * Every resource pilot generates for a sidecar, decoded from its bytes as a proxy's xDS client sees it.
 * (weft-proxy's own converters cannot be imported here: the module-boundary lint forbids importing an
 * app from pilot. These specs assert the decoded shapes instead; the fields used are those listed as
 * honoured in docs/proxy-config.md.)
 */
function shape(typeUrl: TypeUrl, name: string): Record<string, unknown> {
  const resource = model.provider.resource(typeUrl, node, name);
  if (resource === null) throw new Error(`no ${typeUrl} ${name}`);
  return decodeResource(resource.any);
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

const model = new MeshModel();
const node = proxyNode('weft');
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
const REVIEWS = 'reviews.default.svc.cluster.local';

describe('resources generated for a sidecar, as decoded from the wire', () => {
  it.each<[TypeUrl, string, string[]]>([
    [TYPE_URL.listener, 'outbound', ['address', 'filter_chains', 'name', 'traffic_direction']],
    // PERMISSIVE (Istio's default without a PeerAuthentication): the TLS inspector, a tls and a raw_buffer chain.
    [TYPE_URL.listener, 'inbound', ['address', 'filter_chains', 'listener_filters', 'name', 'traffic_direction']],
    [TYPE_URL.routeConfiguration, 'outbound', ['name', 'vhds']],
    [TYPE_URL.cluster, 'inbound|9080||', ['circuit_breakers', 'connect_timeout', 'lb_policy', 'load_assignment', 'name', 'type']],
    [TYPE_URL.cluster, `outbound|9080||${REVIEWS}`, ['circuit_breakers', 'connect_timeout', 'eds_cluster_config', 'lb_policy', 'name', 'outlier_detection', 'ring_hash_lb_config', 'type', 'typed_extension_protocol_options']],
    [TYPE_URL.cluster, `outbound|9080|v2|${REVIEWS}`, ['circuit_breakers', 'connect_timeout', 'eds_cluster_config', 'lb_policy', 'maglev_lb_config', 'name', 'outlier_detection', 'type', 'typed_extension_protocol_options']],
    [TYPE_URL.cluster, `outbound|9080|v3|${REVIEWS}`, ['circuit_breakers', 'connect_timeout', 'eds_cluster_config', 'lb_policy', 'name', 'outlier_detection', 'type', 'typed_extension_protocol_options']],
    [TYPE_URL.clusterLoadAssignment, `outbound|9080|v1|${REVIEWS}`, ['cluster_name', 'endpoints']],
    [TYPE_URL.virtualHost, 'outbound/reviews:9080', ['domains', 'name', 'routes']],
  ])('%s %s has exactly the fields %j', (typeUrl, name, fields) => {
    expect(Object.keys(shape(typeUrl, name)).sort()).toEqual(fields);
  });

  it.each(['outbound', 'inbound'])('the %s connection managers allow WebSocket upgrades (Istio enables them on every sidecar HCM)', (name) => {
    const listener = shape(TYPE_URL.listener, name) as { filter_chains: { filters: { typed_config: Record<string, unknown> }[] }[] };
    const hcms = listener.filter_chains.flatMap((c) => c.filters.map((f) => f.typed_config));
    expect(hcms.length).toBeGreaterThan(0);
    for (const hcm of hcms) expect(hcm['upgrade_configs']).toEqual([{ upgrade_type: 'websocket' }]);
  });

  it('subset clusters merge the subset policy over the top level (v3: RANDOM, top-level pool and outlier detection kept)', () => {
    expect(shape(TYPE_URL.cluster, `outbound|9080|v3|${REVIEWS}`)).toMatchObject({
      lb_policy: 'RANDOM',
      connect_timeout: { seconds: 1, nanos: 0 },
      circuit_breakers: { thresholds: [{ max_connections: { value: 100 }, max_pending_requests: { value: 10 } }] },
      outlier_detection: { consecutive_5xx: { value: 3 }, consecutive_gateway_failure: { value: 2 }, enforcing_consecutive_gateway_failure: { value: 100 } },
    });
  });

  it('the virtual host carries the whole VirtualService in order: redirect, direct response, faulted match, split with mirror', () => {
    const vhost = shape(TYPE_URL.virtualHost, 'outbound/reviews:9080') as { routes: Record<string, unknown>[] };
    expect(vhost.routes.map((r) => Object.keys(r).filter((k) => k !== 'match').sort())).toEqual([
      ['redirect'],
      ['direct_response'],
      ['route', 'typed_per_filter_config'],
      ['request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'route'],
    ]);
    expect(vhost.routes[3].route).toMatchObject({
      weighted_clusters: { clusters: [{ name: `outbound|9080|v1|${REVIEWS}`, weight: { value: 90 } }, { name: `outbound|9080|v2|${REVIEWS}`, weight: { value: 10 } }] },
      request_mirror_policies: [{ cluster: `outbound|9080|v3|${REVIEWS}`, runtime_fraction: { default_value: { numerator: 125000, denominator: 'MILLION' } } }],
      regex_rewrite: { pattern: { regex: '^/api/(.*)' }, substitution: '/\\1' },
      host_rewrite_literal: 'reviews.internal',
      hash_policy: [{ cookie: { name: 'user' } }],
    });
  });

  it('a locality-weighted assignment decodes with its locality and weight', () => {
    expect(shape(TYPE_URL.clusterLoadAssignment, `outbound|9080||${REVIEWS}`)).toMatchObject({
      endpoints: [{ locality: { region: 'eu', zone: 'eu-1', sub_zone: 'a' }, load_balancing_weight: { value: 6 } }],
    });
  });
});
