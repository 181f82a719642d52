import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterModel, EndpointModel, HeaderMutationsModel, RouteModel } from '@weft/proxy-core';
import { parse, stringify } from 'yaml';
import { loadBootstrap } from './bootstrap.loader';

const FIXTURE = join(__dirname, '../../test/fixtures/bootstrap.yaml');
const fixtureText = readFileSync(FIXTURE, 'utf8');

const NO_MUTATIONS: HeaderMutationsModel = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] };
const NO_PER_FILTER = { fault: null, localRateLimit: null };
const NO_LOCALITY = { region: '', zone: '', subZone: '' };
const DEFAULT_BREAKERS = { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 };

function endpoint(address: string, port: number, extra: Partial<EndpointModel> = {}): EndpointModel {
  return { address, port, weight: 1, health: 'UNKNOWN', locality: NO_LOCALITY, localityWeight: 1, priority: 0, ...extra };
}

function clusterWith(name: string, extra: Partial<ClusterModel>): ClusterModel {
  return {
    name,
    connectTimeoutMs: 5000,
    lbPolicy: 'ROUND_ROBIN',
    choiceCount: 2,
    ringHash: { minimumRingSize: 1024, maximumRingSize: 8_388_608 },
    maglevTableSize: 65_537,
    protocol: 'http1',
    endpoints: [],
    circuitBreakers: DEFAULT_BREAKERS,
    retryBudget: null,
    outlierDetection: null,
    idleTimeoutMs: 3_600_000,
    maxRequestsPerConnection: null,
    localityWeighted: false,
    tls: null,
    dns: null,
    ...extra,
  };
}

function forward(cluster: string, extra: object = {}): RouteModel['action'] {
  return {
    kind: 'route',
    clusters: [{ name: cluster, weight: 1, mutations: NO_MUTATIONS }],
    totalWeight: 1,
    prefixRewrite: null,
    regexRewrite: null,
    hostRewriteLiteral: null,
    timeoutMs: 15_000,
    idleTimeoutMs: null,
    retryPolicy: null,
    mirrors: [],
    hashPolicy: [],
    upgradeWebsocket: null,
    ...extra,
  } as RouteModel['action'];
}

function match(path: RouteModel['match']['path'], extra: Partial<RouteModel['match']> = {}): RouteModel['match'] {
  return { path, caseSensitive: true, headers: [], queryParameters: [], grpc: false, ...extra };
}

describe('loadBootstrap: the sample bootstrap', () => {
  const { snapshot, ignoredFields } = loadBootstrap(fixtureText, 'bootstrap.yaml');
  const http = snapshot.listeners[0].http;
  const routes = http?.routeConfig;

  it('reads node, admin and a content-derived version', () => {
    expect(snapshot.node).toEqual({ id: 'sidecar~10.0.0.5~productpage-v1-7d9f.default~default.svc.cluster.local', cluster: 'productpage' });
    expect(snapshot.admin).toEqual({ address: '127.0.0.1', port: 15000 });
    expect(snapshot.version).toMatch(/^bootstrap-[0-9a-f]{16}$/);
    expect(loadBootstrap(fixtureText, 'again.yaml').snapshot.version).toBe(snapshot.version);
  });

  it('builds the outbound HTTP listener with its connection manager and filters', () => {
    const { routeConfig: _routes, httpFilters, ...hcm } = http ?? { routeConfig: null, httpFilters: [] };
    expect(snapshot.listeners[0]).toMatchObject({ name: 'outbound_http', address: '0.0.0.0', port: 15001, direction: 'OUTBOUND', tcp: null });
    expect(hcm).toEqual({
      statPrefix: 'outbound_http',
      rdsRouteConfigName: null,
      codecType: 'AUTO',
      streamIdleTimeoutMs: 60_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      maxRequestHeadersKb: 96,
      upgradeWebsocket: true,
      generateRequestId: true,
      direction: 'OUTBOUND',
    });
    expect(httpFilters).toEqual([
      { kind: 'fault', name: 'envoy.filters.http.fault', config: { delay: { fixedDelayMs: 250, fraction: 0.05 }, abort: null } },
      {
        kind: 'local_ratelimit',
        name: 'envoy.filters.http.local_ratelimit',
        config: {
          maxTokens: 100,
          tokensPerFill: 50,
          fillIntervalMs: 1000,
          enabledFraction: 1,
          enforcedFraction: 1,
          responseHeadersToAdd: [{ name: 'x-local-rate-limit', value: 'true', append: false }],
        },
      },
      { kind: 'router', name: 'envoy.filters.http.router' },
    ]);
  });

  it('routes the reviews host: header match, weighted split, retries, timeouts, per-route fault', () => {
    const reviews = routes?.virtualHosts[0];
    expect(routes?.name).toBe('outbound_http');
    expect(routes?.mutations.responseHeadersToAdd).toEqual([{ name: 'x-weft-proxy', value: 'sidecar', append: true }]);
    expect(reviews?.domains).toEqual(['reviews', 'reviews.default.svc.cluster.local', 'reviews:9080']);
    expect(reviews?.perFilter).toEqual({ fault: { delay: null, abort: { httpStatus: 503, grpcStatus: null, fraction: 0.1 } }, localRateLimit: null });
    expect(reviews?.retryPolicy).toMatchObject({ numRetries: 2, backoffBaseMs: 25, backoffMaxMs: 250, previousHosts: false, hostSelectionRetryMaxAttempts: 1 });
    expect([...(reviews?.retryPolicy?.retryOn ?? [])]).toEqual(['5xx']);
    expect(reviews?.routes[0]).toEqual({
      name: 'reviews-jason',
      match: match(
        { kind: 'prefix', value: '/api/v2' },
        { headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason', ignoreCase: false }, presentMatch: true, invert: false, treatMissingAsEmpty: false }] },
      ),
      action: forward('reviews-v2', { timeoutMs: 2000 }),
      mutations: NO_MUTATIONS,
      perFilter: NO_PER_FILTER,
    });
    const split = reviews?.routes[1].action;
    expect(split).toMatchObject({
      clusters: [
        { name: 'reviews-v1', weight: 90, mutations: NO_MUTATIONS },
        { name: 'reviews-v2', weight: 10, mutations: { ...NO_MUTATIONS, requestHeadersToAdd: [{ name: 'x-canary', value: 'true', append: true }] } },
      ],
      totalWeight: 100,
      timeoutMs: 5000,
      idleTimeoutMs: 0,
      retryPolicy: {
        numRetries: 3,
        perTryTimeoutMs: 1000,
        retriableStatusCodes: [503],
        backoffBaseMs: 100,
        backoffMaxMs: 1000,
        previousHosts: true,
        hostSelectionRetryMaxAttempts: 3,
      },
    });
    expect(split?.kind === 'route' ? [...(split.retryPolicy?.retryOn ?? [])] : null).toEqual(['5xx', 'reset', 'connect-failure']);
  });

  it('routes the ratings host: hashing, mirroring, redirect, direct response, gRPC regex match', () => {
    const [hashed, redirect, direct, grpc] = routes?.virtualHosts[1].routes ?? [];
    expect(routes?.virtualHosts[1].domains).toEqual(['ratings', 'ratings.*']);
    expect(hashed.match).toEqual(match({ kind: 'prefix', value: '/ratings' }, { caseSensitive: false, queryParameters: [{ name: 'debug', match: null }] }));
    expect(hashed.action).toEqual(
      forward('ratings', {
        mirrors: [{ cluster: 'ratings-shadow', fraction: 0.05 }],
        hashPolicy: [
          { kind: 'header', name: 'x-user', terminal: false },
          { kind: 'cookie', name: 'session', terminal: true },
        ],
      }),
    );
    expect(hashed.perFilter.localRateLimit).toEqual({
      maxTokens: 10,
      tokensPerFill: 1,
      fillIntervalMs: 1000,
      enabledFraction: 1,
      enforcedFraction: 0.5,
      responseHeadersToAdd: [],
    });
    expect(redirect.action).toEqual({
      kind: 'redirect',
      schemeRedirect: null,
      hostRedirect: null,
      portRedirect: null,
      pathRedirect: '/ratings',
      prefixRewrite: null,
      responseCode: 302,
      stripQuery: false,
    });
    expect(direct).toMatchObject({ match: match({ kind: 'path', value: '/healthz' }), action: { kind: 'direct_response', status: 200, body: 'ok' } });
    expect(grpc.match).toEqual(match({ kind: 'safe_regex', value: '^/ratings\\.v1\\.Ratings/[A-Za-z]+$' }, { grpc: true }));
    expect(grpc.action).toEqual(forward('ratings-grpc', { timeoutMs: null }));
  });

  it('builds the TCP proxy listener', () => {
    expect(snapshot.listeners[1]).toEqual({
      name: 'outbound_mysql',
      address: '0.0.0.0',
      port: 13306,
      direction: 'OUTBOUND',
      http: null,
      tcp: { statPrefix: 'mysql', cluster: 'mysql', idleTimeoutMs: 600_000 },
      tls: null,
    });
  });

  it('builds every cluster with Envoy defaults where fields are absent', () => {
    expect([...snapshot.clusters.values()]).toEqual([
      clusterWith('reviews-v1', {
        connectTimeoutMs: 500,
        circuitBreakers: { maxConnections: 100, maxPendingRequests: 50, maxRequests: 200, maxRetries: 5 },
        outlierDetection: {
          consecutive5xx: 3,
          consecutiveGatewayFailure: 5,
          intervalMs: 10_000,
          baseEjectionTimeMs: 30_000,
          maxEjectionTimeMs: 300_000,
          maxEjectionPercent: 10,
          enforcingConsecutive5xx: 100,
          enforcingConsecutiveGatewayFailure: 0,
        },
        endpoints: [endpoint('10.0.1.10', 9080), endpoint('10.0.1.11', 9080, { health: 'DRAINING' })],
      }),
      clusterWith('reviews-v2', {
        localityWeighted: true,
        connectTimeoutMs: 1000,
        lbPolicy: 'LEAST_REQUEST',
        choiceCount: 3,
        endpoints: [
          endpoint('10.0.2.10', 9080, { weight: 2, locality: { region: 'eu-west1', zone: 'eu-west1-b', subZone: '' }, localityWeight: 80 }),
          endpoint('10.0.3.10', 9080, { locality: { region: 'eu-west1', zone: 'eu-west1-c', subZone: '' }, localityWeight: 20, priority: 1 }),
        ],
      }),
      clusterWith('ratings', {
        lbPolicy: 'RING_HASH',
        ringHash: { minimumRingSize: 2048, maximumRingSize: 65_536 },
        retryBudget: { budgetPercent: 0.25, minRetryConcurrency: 5 },
        outlierDetection: {
          consecutive5xx: 3,
          consecutiveGatewayFailure: 2,
          intervalMs: 5000,
          baseEjectionTimeMs: 15_000,
          maxEjectionTimeMs: 300_000,
          maxEjectionPercent: 50,
          enforcingConsecutive5xx: 100,
          enforcingConsecutiveGatewayFailure: 100,
        },
        endpoints: [endpoint('10.0.4.10', 9080), endpoint('10.0.4.11', 9080)],
      }),
      clusterWith('ratings-shadow', { lbPolicy: 'RANDOM', endpoints: [endpoint('10.0.5.10', 9080)] }),
      clusterWith('ratings-grpc', {
        lbPolicy: 'MAGLEV',
        maglevTableSize: 5003,
        protocol: 'http2',
        idleTimeoutMs: 30_000,
        maxRequestsPerConnection: 1000,
        endpoints: [endpoint('fd00::4:12', 9090)],
      }),
      clusterWith('details', { lbPolicy: 'PEAK_EWMA', protocol: 'http2', endpoints: [endpoint('10.0.6.10', 9080)] }),
      clusterWith('mysql', { connectTimeoutMs: 1000, endpoints: [endpoint('10.0.7.10', 3306)] }),
    ]);
  });

  it('reports the accepted-and-ignored fields that are set', () => {
    expect(ignoredFields).toEqual([
      'node.metadata',
      'static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.stat_prefix',
      'static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.filter_enabled.runtime_key',
      'static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[1].routes[0].typed_per_filter_config["envoy.filters.http.local_ratelimit"].stat_prefix',
    ]);
  });

  it('freezes the snapshot deeply, including the cluster map and retry conditions', () => {
    const cluster = snapshot.clusters.get('reviews-v1') as ClusterModel;
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.listeners)).toBe(true);
    expect(Object.isFrozen(cluster.endpoints[0])).toBe(true);
    expect(() => (snapshot.clusters as Map<string, ClusterModel>).set('x', cluster)).toThrow(TypeError);
    expect(() => (snapshot.clusters as Map<string, ClusterModel>).delete('reviews-v1')).toThrow(TypeError);
    const retryOn = routes?.virtualHosts[0].retryPolicy?.retryOn as Set<string>;
    expect(() => retryOn.add('reset')).toThrow(TypeError);
    expect(() => (cluster.endpoints as EndpointModel[]).push(endpoint('10.9.9.9', 1))).toThrow(TypeError);
  });
});

describe('loadBootstrap: accepted spellings', () => {
  const expected = loadBootstrap(fixtureText, 'bootstrap.yaml').snapshot;

  /** Field names → lowerCamelCase (map keys and "@type" stay as they are). */
  function camelCaseKeys(value: unknown, parentKey = ''): unknown {
    if (Array.isArray(value)) return value.map((v) => camelCaseKeys(v));
    if (value === null || typeof value !== 'object') return value;
    const isMap = ['typed_per_filter_config', 'typed_extension_protocol_options', 'metadata'].includes(parentKey);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [isMap || k === '@type' ? k : k.replace(/_(.)/g, (_m, c: string) => c.toUpperCase()), camelCaseKeys(v, k)]),
    );
  }

  it('accepts lowerCamelCase field names (JSON names) as Envoy does', () => {
    const camel = stringify(camelCaseKeys(parse(fixtureText)));
    expect(camel).toContain('connectTimeout:');
    expect(loadBootstrap(camel, 'camel.yaml').snapshot).toEqual({ ...expected, version: expect.any(String) });
  });

  it('accepts JSON, durations as { seconds, nanos } and wrapper values as { value }', () => {
    const doc = parse(fixtureText) as { static_resources: { clusters: Record<string, unknown>[] } };
    doc.static_resources.clusters[0]['connect_timeout'] = { seconds: 0, nanos: 500_000_000 };
    doc.static_resources.clusters[1]['least_request_lb_config'] = { choice_count: { value: 3 } };
    const { snapshot } = loadBootstrap(JSON.stringify(doc), 'bootstrap.json');
    expect([...snapshot.clusters.values()]).toEqual([...expected.clusters.values()]);
  });

  it('treats null and proto3 default values as unset', () => {
    const doc = parse(fixtureText) as { static_resources: { clusters: Record<string, unknown>[] } };
    Object.assign(doc.static_resources.clusters[6], { type: 'STATIC', lb_policy: 'ROUND_ROBIN', alt_stat_name: null, per_connection_buffer_limit_bytes: null });
    expect(loadBootstrap(stringify(doc), 'b.yaml').snapshot.clusters.get('mysql')).toEqual(expected.clusters.get('mysql'));
  });
});

describe('loadBootstrap: the documented example', () => {
  it('loads the annotated bootstrap of docs/proxy-config.md (or docs/proxy.md after the merge)', () => {
    const docs = ['docs/proxy-config.md', 'docs/proxy.md'].map((p) => join(__dirname, '../../../../', p));
    const example = docs
      .filter((p) => existsSync(p))
      .flatMap((p) => [...readFileSync(p, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]))
      .find((block) => block.includes('weft.load_balancing_policies.peak_ewma'));
    expect(example).toBeDefined();
    const { snapshot } = loadBootstrap(example ?? '', 'docs-example.yaml');
    expect(snapshot.listeners.map((l) => l.name)).toEqual(['outbound_http', 'outbound_mysql']);
    expect(snapshot.clusters.get('details')?.lbPolicy).toBe('PEAK_EWMA');
  });
});
