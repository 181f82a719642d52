import { resolveTrafficPolicy, type DestinationRule, type EffectiveTrafficPolicy } from '@weft/api';
import { encodeResource, TYPE_URL } from '@weft/xds';
import { rules } from '../model/mesh-fixtures.spec-helper';
import { DEFAULT_POLICY } from '../model/rule-views';
import type { MeshPort } from '../model/mesh-service';
import { generateCluster } from './cluster.generator';
import type { GeneratorScope } from './generator-scope';

const HTTP: MeshPort = { name: 'http', number: 9080, protocol: 'http' };
const GRPC: MeshPort = { name: 'grpc', number: 50051, protocol: 'grpc' };
const NAME = 'outbound|9080||reviews.default.svc.cluster.local';

function policy(trafficPolicyYaml: string, subset: string | null = null): EffectiveTrafficPolicy {
  const [doc] = rules(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
${trafficPolicyYaml.replace(/^/gm, '    ')}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {simple: RANDOM}
`);
  return resolveTrafficPolicy(doc.spec as DestinationRule, subset, 9080);
}

function cluster(p: EffectiveTrafficPolicy, scope: GeneratorScope = 'sidecar', port: MeshPort = HTTP): Record<string, unknown> {
  const c = generateCluster({ name: NAME, port, policy: p, scope });
  expect(() => encodeResource(TYPE_URL.cluster, NAME, c)).not.toThrow();
  return c;
}

describe('generateCluster', () => {
  it('defaults: EDS over ADS, LEAST_REQUEST, 10 s connect timeout, Istio pool limits 2^32-1, no outlier detection, HTTP/1.1', () => {
    const c = cluster(DEFAULT_POLICY);
    expect(c).toMatchObject({
      name: NAME,
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      connect_timeout: { seconds: 10, nanos: 0 },
      lb_policy: 'LEAST_REQUEST',
      circuit_breakers: { thresholds: [{ max_connections: { value: 4294967295 }, max_pending_requests: { value: 4294967295 }, max_requests: { value: 4294967295 }, max_retries: { value: 4294967295 } }] },
    });
    expect(c.outlier_detection).toBeUndefined();
    expect(c.typed_extension_protocol_options).toMatchObject({
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { explicit_http_config: { http_protocol_options: {} } },
    });
  });

  it.each<[string, string, GeneratorScope, Record<string, unknown>]>([
    ['ROUND_ROBIN', 'loadBalancer: {simple: ROUND_ROBIN}', 'sidecar', { lb_policy: 'ROUND_ROBIN' }],
    ['RANDOM', 'loadBalancer: {simple: RANDOM}', 'sidecar', { lb_policy: 'RANDOM' }],
    ['LEAST_CONN (deprecated) is LEAST_REQUEST', 'loadBalancer: {simple: LEAST_CONN}', 'sidecar', { lb_policy: 'LEAST_REQUEST' }],
    ['grpc never gets LEAST_REQUEST', 'loadBalancer: {simple: LEAST_REQUEST}', 'grpc', { lb_policy: 'ROUND_ROBIN' }],
    ['grpc never gets RANDOM', 'loadBalancer: {simple: RANDOM}', 'grpc', { lb_policy: 'ROUND_ROBIN' }],
    ['consistent hash: ring hash', 'loadBalancer: {consistentHash: {httpHeaderName: x-user, ringHash: {minimumRingSize: 2048}}}', 'sidecar', { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: 2048 } } }],
    ['consistent hash: maglev', 'loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 65537}}}', 'sidecar', { lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: 65537 } } }],
    ['grpc: maglev becomes ring hash', 'loadBalancer: {consistentHash: {httpHeaderName: x-user, maglev: {tableSize: 65537}}}', 'grpc', { lb_policy: 'RING_HASH' }],
  ])('load balancer %s', (_name, yaml, scope, expected) => {
    expect(cluster(policy(yaml), scope)).toMatchObject(expected);
  });

  it('connection pool → connect timeout, circuit breaker thresholds, idle timeout, requests per connection', () => {
    const c = cluster(
      policy(`connectionPool:
  tcp: {maxConnections: 100, connectTimeout: 250ms}
  http: {http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRetries: 3, maxRequestsPerConnection: 5, idleTimeout: 30s}`),
    );
    expect(c).toMatchObject({
      connect_timeout: { seconds: 0, nanos: 250_000_000 },
      circuit_breakers: { thresholds: [{ max_connections: { value: 100 }, max_pending_requests: { value: 10 }, max_requests: { value: 1000 }, max_retries: { value: 3 } }] },
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          common_http_protocol_options: { idle_timeout: { seconds: 30, nanos: 0 }, max_requests_per_connection: { value: 5 } },
        },
      },
    });
  });

  it.each<[string, string, MeshPort, string]>([
    ['http port', 'loadBalancer: {simple: ROUND_ROBIN}', HTTP, 'http_protocol_options'],
    ['grpc port', 'loadBalancer: {simple: ROUND_ROBIN}', GRPC, 'http2_protocol_options'],
    ['h2UpgradePolicy UPGRADE', 'connectionPool: {http: {h2UpgradePolicy: UPGRADE}}', HTTP, 'http2_protocol_options'],
  ])('upstream protocol: %s', (_name, yaml, port, expected) => {
    const options = cluster(policy(yaml), 'sidecar', port).typed_extension_protocol_options as Record<string, { explicit_http_config: object }>;
    expect(Object.keys(options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config)).toEqual([expected]);
  });

  it('outlier detection only when configured; gateway errors enforced at 100%', () => {
    const c = cluster(policy('outlierDetection: {consecutive5xxErrors: 7, consecutiveGatewayErrors: 3, interval: 5s, baseEjectionTime: 1m, maxEjectionPercent: 50}'));
    expect(c.outlier_detection).toEqual({
      consecutive_5xx: { value: 7 },
      consecutive_gateway_failure: { value: 3 },
      enforcing_consecutive_gateway_failure: { value: 100 },
      interval: { seconds: 5, nanos: 0 },
      base_ejection_time: { seconds: 60, nanos: 0 },
      max_ejection_percent: { value: 50 },
      enforcing_success_rate: { value: 0 },
    });
  });

  it('a subset policy overrides the top-level block by block (Istio merge)', () => {
    const p = policy('loadBalancer: {simple: ROUND_ROBIN}\nconnectionPool: {tcp: {maxConnections: 7}}', 'v1');
    expect(cluster(p)).toMatchObject({ lb_policy: 'RANDOM', circuit_breakers: { thresholds: [{ max_connections: { value: 7 } }] } });
  });

  it('gRPC clients get no upstream protocol options', () => {
    expect(cluster(DEFAULT_POLICY, 'grpc', GRPC).typed_extension_protocol_options).toBeUndefined();
  });
});
