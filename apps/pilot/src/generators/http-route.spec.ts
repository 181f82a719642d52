import type { ConsistentHash, HttpRoute, VirtualService } from '@weft/api';
import { encodeResource, TYPE_URL } from '@weft/xds';
import { rules } from '../model/mesh-fixtures.spec-helper';
import { generateRoutes, type RouteContext, type RouteView } from './http-route';
import { defaultHttpRoute } from './default-route';

const SIDECAR: RouteContext = { scope: 'sidecar', port: 9080, sourceNamespace: 'default', sourceLabels: { app: 'productpage' } };
const GRPC: RouteContext = { ...SIDECAR, scope: 'grpc' };

function httpRoutes(httpYaml: string): HttpRoute[] {
  const [doc] = rules(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
${httpYaml.replace(/^/gm, '  ')}
`);
  return (doc.spec as VirtualService).http;
}

/** Clusters named after the destination (`<host>|<subset>`), enough to see where traffic goes. */
function views(routes: HttpRoute[], hash: ConsistentHash | null = null): RouteView[] {
  return routes.map((route) => ({
    route,
    clusters: route.route.map((d) => `${d.destination.host}|${d.destination.subset ?? ''}`),
    mirrorClusters: route.mirrors.map((m) => `${m.destination.host}|${m.destination.subset ?? ''}`),
    hash,
  }));
}

function generate(httpYaml: string, ctx: RouteContext = SIDECAR, hash: ConsistentHash | null = null): Record<string, unknown>[] {
  const routes = generateRoutes(views(httpRoutes(httpYaml), hash), ctx);
  expect(() => encodeResource(TYPE_URL.virtualHost, 'v', { name: 'v', domains: ['x'], routes })).not.toThrow();
  return routes;
}

describe('generateRoutes (VirtualService http → Envoy routes)', () => {
  it('90/10 split between subsets → weighted clusters', () => {
    const [r] = generate(`
- route:
  - destination: {host: reviews, subset: v1}
    weight: 90
  - destination: {host: reviews, subset: v2}
    weight: 10`);
    expect(r.route).toMatchObject({ weighted_clusters: { clusters: [{ name: 'reviews|v1', weight: { value: 90 } }, { name: 'reviews|v2', weight: { value: 10 } }] } });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['uri exact → path', '- match: [{uri: {exact: /a}}]\n  route: [{destination: {host: r}}]', { path: '/a' }],
    ['uri prefix → prefix', '- match: [{uri: {prefix: /a}}]\n  route: [{destination: {host: r}}]', { prefix: '/a' }],
    ['uri regex → safe_regex', '- match: [{uri: {regex: "/a/[0-9]+"}}]\n  route: [{destination: {host: r}}]', { safe_regex: { regex: '/a/[0-9]+' } }],
    ['ignoreUriCase', '- match: [{uri: {prefix: /A}, ignoreUriCase: true}]\n  route: [{destination: {host: r}}]', { prefix: '/A', case_sensitive: { value: false } }],
    ['headers, method, authority', '- match: [{headers: {end-user: {exact: jason}}, method: {exact: GET}, authority: {prefix: rev}}]\n  route: [{destination: {host: r}}]', {
      prefix: '/',
      headers: [
        { name: ':method', string_match: { exact: 'GET' } },
        { name: ':authority', string_match: { prefix: 'rev' } },
        { name: 'end-user', string_match: { exact: 'jason' } },
      ],
    }],
    ['withoutHeaders → invert_match', '- match: [{withoutHeaders: {x-canary: {}}}]\n  route: [{destination: {host: r}}]', { prefix: '/', headers: [{ name: 'x-canary', present_match: true, invert_match: true }] }],
    ['queryParams', '- match: [{queryParams: {v: {exact: "2"}}}]\n  route: [{destination: {host: r}}]', { prefix: '/', query_parameters: [{ name: 'v', string_match: { exact: '2' } }] }],
  ])('match: %s', (_name, yaml, expected) => {
    expect(generate(yaml)[0].match).toEqual(expected);
  });

  it('each match entry is its own route, in order; a route without match matches everything', () => {
    const routes = generate(`
- name: canary
  match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /beta}}]
  route: [{destination: {host: reviews, subset: v2}}]
- route: [{destination: {host: reviews, subset: v1}}]`);
    expect(routes.map((r) => [r.name, r.match, (r.route as { cluster: string }).cluster])).toEqual([
      ['canary', { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] }, 'reviews|v2'],
      ['canary', { prefix: '/beta' }, 'reviews|v2'],
      [undefined, { prefix: '/' }, 'reviews|v1'],
    ]);
  });

  it('match entries for another port or another source are left out', () => {
    const routes = generate(`
- match: [{port: 9999}, {sourceLabels: {app: other}}, {sourceNamespace: prod}, {sourceLabels: {app: productpage}, port: 9080}]
  route: [{destination: {host: r}}]`);
    expect(routes).toHaveLength(1);
  });

  it('timeout (absent = disabled), retries, fault, mirror, rewrite, headers', () => {
    const [r] = generate(`
- timeout: 2s
  retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,503"}
  fault:
    delay: {fixedDelay: 7s, percentage: {value: 10}}
    abort: {httpStatus: 500, percentage: {value: 0.5}}
  mirror: {host: reviews, subset: v3}
  mirrorPercentage: {value: 25}
  rewrite: {uri: /v2, authority: reviews.internal}
  headers:
    request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
    response: {remove: [server]}
  route: [{destination: {host: reviews, subset: v1}}]`);
    expect(r.route).toMatchObject({
      cluster: 'reviews|v1',
      timeout: { seconds: 2, nanos: 0 },
      retry_policy: { retry_on: '5xx,retriable-status-codes', num_retries: { value: 3 }, per_try_timeout: { seconds: 0, nanos: 500_000_000 }, retriable_status_codes: [503] },
      request_mirror_policies: [{ cluster: 'reviews|v3', runtime_fraction: { default_value: { numerator: 25, denominator: 'HUNDRED' } } }],
      prefix_rewrite: '/v2',
      host_rewrite_literal: 'reviews.internal',
    });
    expect(r.typed_per_filter_config).toEqual({
      'envoy.filters.http.fault': {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
        delay: { fixed_delay: { seconds: 7, nanos: 0 }, percentage: { numerator: 10, denominator: 'HUNDRED' } },
        abort: { http_status: 500, percentage: { numerator: 5000, denominator: 'MILLION' } },
      },
    });
    expect(r.request_headers_to_add).toEqual([
      { header: { key: 'x-a', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-b', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    expect(r.request_headers_to_remove).toEqual(['x-c']);
    expect(r.response_headers_to_remove).toEqual(['server']);
  });

  it.each<[number, string]>([
    [301, 'MOVED_PERMANENTLY'],
    [302, 'FOUND'],
    [303, 'SEE_OTHER'],
    [307, 'TEMPORARY_REDIRECT'],
    [308, 'PERMANENT_REDIRECT'],
  ])('redirect %d → %s', (code, name) => {
    const [r] = generate(`- redirect: {uri: /new, authority: new.example.com, redirectCode: ${code}}`);
    expect(r.redirect).toEqual({ path_redirect: '/new', host_redirect: 'new.example.com', response_code: name });
  });

  it('direct response', () => {
    const [r] = generate('- directResponse: {status: 503, body: {string: "down for maintenance"}}');
    expect(r.direct_response).toEqual({ status: 503, body: { inline_string: 'down for maintenance' } });
  });

  it('per-destination headers go on the weighted cluster; a lone destination joins them to the route', () => {
    const [split] = generate(`
- route:
  - destination: {host: reviews, subset: v1}
    weight: 50
    headers: {request: {set: {x-v: "1"}}}
  - destination: {host: reviews, subset: v2}
    weight: 50`);
    expect((split.route as { weighted_clusters: { clusters: object[] } }).weighted_clusters.clusters[0]).toMatchObject({
      request_headers_to_add: [{ header: { key: 'x-v', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    });
    const [lone] = generate('- route: [{destination: {host: reviews}, headers: {response: {add: {x-w: "2"}}}}]');
    expect(lone.response_headers_to_add).toEqual([{ header: { key: 'x-w', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }]);
  });

  it('consistent hash → hash_policy, and retries keep to the hashed host (no previous_hosts)', () => {
    const hash: ConsistentHash = { key: { kind: 'cookie', name: 'user', path: null, ttlMs: 0 }, algorithm: { kind: 'ringHash', minimumRingSize: 1024 } };
    const [r] = generate('- route: [{destination: {host: reviews}}]', SIDECAR, hash);
    expect((r.route as Record<string, unknown>).hash_policy).toEqual([{ cookie: { name: 'user' } }]);
    expect((r.route as { retry_policy: Record<string, unknown> }).retry_policy.retry_host_predicate).toBeUndefined();
  });

  it('no VirtualService: the default route with Istio’s default retry policy and no timeout', () => {
    const route = defaultHttpRoute('reviews.default.svc.cluster.local', 9080);
    const [r] = generateRoutes([{ route, clusters: ['outbound|9080||reviews.default.svc.cluster.local'], mirrorClusters: [], hash: null }], SIDECAR);
    expect(r).toEqual({
      name: 'default',
      match: { prefix: '/' },
      route: {
        cluster: 'outbound|9080||reviews.default.svc.cluster.local',
        timeout: { seconds: 0, nanos: 0 },
        retry_policy: {
          retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
          retriable_status_codes: [503],
          num_retries: { value: 2 },
          retry_host_predicate: [
            { name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } },
          ],
          host_selection_retry_max_attempts: 5,
          retry_back_off: { base_interval: { seconds: 0, nanos: 25_000_000 } },
        },
      },
    });
  });

  describe('gRPC clients: only what grpc-js-xds accepts', () => {
    it('no redirects, direct responses, mirrors, rewrites or header edits; retries on gRPC codes; timeout as max_stream_duration', () => {
      const routes = generate(
        `
- match: [{uri: {prefix: /old}}]
  redirect: {uri: /new}
- match: [{uri: {prefix: /down}}]
  directResponse: {status: 503}
- timeout: 3s
  retries: {attempts: 4, retryOn: "5xx,unavailable,deadline-exceeded"}
  mirror: {host: reviews, subset: v3}
  rewrite: {uri: /v2}
  headers: {request: {set: {x-a: "1"}}}
  route: [{destination: {host: reviews, subset: v1}, weight: 80}, {destination: {host: reviews, subset: v2}, weight: 20}]`,
        GRPC,
      );
      expect(routes).toEqual([
        {
          match: { prefix: '/' },
          route: {
            weighted_clusters: { clusters: [{ name: 'reviews|v1', weight: { value: 80 } }, { name: 'reviews|v2', weight: { value: 20 } }] },
            max_stream_duration: { max_stream_duration: { seconds: 3, nanos: 0 } },
            retry_policy: { retry_on: 'unavailable,deadline-exceeded', num_retries: { value: 4 }, retry_back_off: { base_interval: { seconds: 0, nanos: 25_000_000 } } },
          },
        },
      ]);
    });
  });
});
