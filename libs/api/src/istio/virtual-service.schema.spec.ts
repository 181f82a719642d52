import { parseRuleDocuments, validateRuleObjects } from './documents';
import { DEFAULT_RETRY_ON } from './http-policy.schema';
import type { HttpRoute, VirtualService } from './virtual-service.types';

function vs(yaml: string): VirtualService {
  const [doc] = parseRuleDocuments(yaml, 'vs.yaml');
  if (doc?.kind !== 'VirtualService') throw new Error('expected one VirtualService');
  return doc.spec;
}

// samples/bookinfo/networking/virtual-service-reviews-90-10.yaml (istio/istio), verbatim.
const REVIEWS_90_10 = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 90
    - destination:
        host: reviews
        subset: v2
      weight: 10
`;

// samples/bookinfo/networking/virtual-service-ratings-test-delay.yaml, verbatim.
const RATINGS_DELAY = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 7s
    route:
    - destination:
        host: ratings
        subset: v1
  - route:
    - destination:
        host: ratings
        subset: v1
`;

// samples/bookinfo/networking/virtual-service-ratings-test-abort.yaml, verbatim.
const RATINGS_ABORT = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    fault:
      abort:
        percentage:
          value: 100.0
        httpStatus: 500
    route:
    - destination:
        host: ratings
        subset: v1
  - route:
    - destination:
        host: ratings
        subset: v1
`;

// istio.io docs/tasks/traffic-management/request-timeouts, verbatim.
const REVIEWS_TIMEOUT = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v2
    timeout: 0.5s
`;

// Istio reference, VirtualService HTTPRetry example (istio/api virtual_service.proto), verbatim.
const RATINGS_RETRIES = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings-route
spec:
  hosts:
  - ratings.prod.svc.cluster.local
  http:
  - route:
    - destination:
        host: ratings.prod.svc.cluster.local
        subset: v1
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: gateway-error,connect-failure,refused-stream
`;

// istio.io docs/tasks/traffic-management/mirroring, verbatim.
const HTTPBIN_MIRROR = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts:
  - httpbin
  http:
  - route:
    - destination:
        host: httpbin
        subset: v1
      weight: 100
    mirror:
      host: httpbin
      subset: v2
    mirrorPercentage:
      value: 100.0
`;

describe('VirtualService: Istio documentation examples', () => {
  it('reviews 90/10 keeps relative weights per subset, and gets the default retry policy', () => {
    const spec = vs(REVIEWS_90_10);
    expect(spec.hosts).toEqual(['reviews']);
    expect(spec.exportTo).toEqual(['*']);
    const [route] = spec.http;
    expect(route?.route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ['v1', 90],
      ['v2', 10],
    ]);
    expect(route?.match).toEqual([]);
    expect(route?.timeoutMs).toBeNull();
    expect(route?.retries).toEqual({
      attempts: 2,
      perTryTimeoutMs: null,
      retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'],
      retriableStatusCodes: [503],
      retryRemoteLocalities: false,
      retryIgnorePreviousHosts: null,
      backoffMs: 25,
    });
    expect(route?.fault).toBeNull();
    expect(route?.mirrors).toEqual([]);
  });

  it('fault delay: 7s for 100% of requests with end-user: jason', () => {
    const [jason, rest] = vs(RATINGS_DELAY).http;
    expect(jason?.match[0]?.headers).toEqual({ 'end-user': { kind: 'exact', value: 'jason' } });
    expect(jason?.fault).toEqual({ delay: { fixedDelayMs: 7000, percentage: 100 }, abort: null });
    expect(jason?.route).toEqual([{ destination: { host: 'ratings', subset: 'v1', port: null }, weight: 100, headers: expect.any(Object) }]);
    expect(rest?.match).toEqual([]);
    expect(rest?.fault).toBeNull();
  });

  it('fault abort: HTTP 500 for 100% of requests', () => {
    const [jason] = vs(RATINGS_ABORT).http;
    expect(jason?.fault).toEqual({ delay: null, abort: { kind: 'http', status: 500, percentage: 100 } });
  });

  it('request timeout 0.5s → 500 ms; a lone destination without weight takes 100', () => {
    const [route] = vs(REVIEWS_TIMEOUT).http;
    expect(route?.timeoutMs).toBe(500);
    expect(route?.route[0]?.weight).toBe(100);
  });

  it('retries: attempts 3, perTryTimeout 2s, retryOn as conditions', () => {
    const [route] = vs(RATINGS_RETRIES).http;
    expect(route?.retries).toMatchObject({
      attempts: 3,
      perTryTimeoutMs: 2000,
      retryOn: ['gateway-error', 'connect-failure', 'refused-stream'],
      retriableStatusCodes: [],
      backoffMs: 25,
    });
  });

  it('mirroring: mirror + mirrorPercentage 100.0 → one mirror at 100%', () => {
    const [route] = vs(HTTPBIN_MIRROR).http;
    expect(route?.mirrors).toEqual([{ destination: { host: 'httpbin', subset: 'v2', port: null }, percentage: 100 }]);
    expect(route?.route[0]?.weight).toBe(100);
  });
});

/** A VirtualService for host `reviews` whose only http route is `route` (a REST-style object). */
function withRoute(route: Record<string, unknown>): unknown {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...route }] },
  };
}

function routeOf(route: Record<string, unknown>) {
  const [doc] = validateRuleObjects([withRoute(route)], 'rest');
  if (doc?.kind !== 'VirtualService') throw new Error('expected a VirtualService');
  return doc.spec.http[0];
}

describe('VirtualService: normalization and Istio defaults', () => {
  it.each([
    ['attempts 0 disables retries', { retries: { attempts: 0 } }, (r: HttpRoute) => expect(r.retries.attempts).toBe(0)],
    ['attempts without retryOn keep the default conditions', { retries: { attempts: 5 } }, (r: HttpRoute) => expect(r.retries.retryOn).toEqual([...DEFAULT_RETRY_ON])],
    [
      'status codes in retryOn become retriable status codes',
      { retries: { attempts: 1, retryOn: '503,connect-failure' } },
      (r: HttpRoute) => {
        expect(r.retries.retryOn).toEqual(['connect-failure', 'retriable-status-codes']);
        expect(r.retries.retriableStatusCodes).toEqual([503]);
      },
    ],
    ['backoff and durations like 1m30s', { retries: { attempts: 1, backoff: '100ms' }, timeout: '1m30s' }, (r: HttpRoute) => {
      expect(r.retries.backoffMs).toBe(100);
      expect(r.timeoutMs).toBe(90_000);
    }],
    ['fault percentage absent → 0 (Istio: no request delayed)', { fault: { delay: { fixedDelay: '1s' } } }, (r: HttpRoute) => expect(r.fault?.delay?.percentage).toBe(0)],
    ['deprecated delay percent', { fault: { delay: { fixedDelay: '1s', percent: 30 } } }, (r: HttpRoute) => expect(r.fault?.delay?.percentage).toBe(30)],
    ['gRPC abort → numeric code', { fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 50 } } } }, (r: HttpRoute) =>
      expect(r.fault?.abort).toEqual({ kind: 'grpc', status: 14, percentage: 50 })],
    ['mirror without a percentage mirrors 100%', { mirror: { host: 'reviews', subset: 'v3' } }, (r: HttpRoute) => expect(r.mirrors[0]?.percentage).toBe(100)],
    ['deprecated mirrorPercent', { mirror: { host: 'reviews' }, mirrorPercent: 25 }, (r: HttpRoute) => expect(r.mirrors[0]?.percentage).toBe(25)],
    ['mirrors[] keep their own percentages', { mirrors: [{ destination: { host: 'a' } }, { destination: { host: 'b' }, percentage: { value: 5 } }] }, (r: HttpRoute) =>
      expect(r.mirrors.map((m) => m.percentage)).toEqual([100, 5])],
    [
      'header operations: names lower-cased, empty sides filled',
      { headers: { request: { set: { 'X-Canary': 'yes' } } } },
      (r: HttpRoute) => expect(r.headers).toEqual({ request: { set: { 'x-canary': 'yes' }, add: {}, remove: [] }, response: { set: {}, add: {}, remove: [] } }),
    ],
    [
      'matches: presence, regex, uri prefix, ignoreUriCase',
      { match: [{ uri: { prefix: '/api' }, ignoreUriCase: true, headers: { 'X-Debug': {}, 'x-user': { regex: 'a.*' } }, queryParams: { v: { regex: '*' } } }] },
      (r: HttpRoute) => {
        const m = r.match[0];
        expect(m?.uri).toEqual({ kind: 'prefix', value: '/api' });
        expect(m?.ignoreUriCase).toBe(true);
        expect(m?.headers).toEqual({ 'x-debug': { kind: 'present' }, 'x-user': { kind: 'regex', value: 'a.*' } });
        expect(m?.queryParams).toEqual({ v: { kind: 'present' } });
      },
    ],
    [
      'redirect replaces route, default code 301',
      { route: undefined, redirect: { uri: '/v2', authority: 'new.example.com' } },
      (r: HttpRoute) => {
        expect(r.route).toEqual([]);
        expect(r.redirect).toEqual({ uri: '/v2', prefixRewrite: null, authority: 'new.example.com', port: null, derivePort: null, scheme: null, redirectCode: 301 });
      },
    ],
    ['direct response', { route: undefined, directResponse: { status: 503, body: { string: 'down' } } }, (r: HttpRoute) =>
      expect(r.directResponse).toEqual({ status: 503, body: { kind: 'string', value: 'down' } })],
    ['rewrite with uriRegexRewrite', { rewrite: { uriRegexRewrite: { match: '^/v1/(.*)', rewrite: '/v2/\\1' } } }, (r: HttpRoute) =>
      expect(r.rewrite).toEqual({ uri: null, authority: null, uriRegexRewrite: { match: '^/v1/(.*)', rewrite: '/v2/\\1' } })],
    ['several destinations: an absent weight is 0', { route: [{ destination: { host: 'a' }, weight: 3 }, { destination: { host: 'b' } }] }, (r: HttpRoute) =>
      expect(r.route.map((d) => d.weight)).toEqual([3, 0])],
  ] as const)('%s', (_name, route, check) => {
    const r = routeOf(route as Record<string, unknown>);
    if (r === undefined) throw new Error('no route');
    check(r);
  });

  it('tcp routes: match on port, relative weights', () => {
    const spec = vs(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mongo}
spec:
  hosts: [mongo.prod.svc.cluster.local]
  tcp:
  - match: [{port: 27017}]
    route:
    - destination: {host: mongo.backup.svc.cluster.local, port: {number: 5555}}
`);
    expect(spec.tcp).toEqual([
      {
        match: [{ destinationSubnets: [], port: 27017, sourceLabels: {}, sourceNamespace: null, sourceSubnet: null }],
        route: [{ destination: { host: 'mongo.backup.svc.cluster.local', subset: null, port: 5555 }, weight: 100 }],
      },
    ]);
  });
});
