import type { DestinationRule } from './destination-rule.types';
import { parseRuleDocuments, validateRuleObjects } from './documents';
import { RuleValidationError, type RuleIssue } from './rule-errors';
import { resolveTrafficPolicy } from './traffic-policy';

function rule(spec: Record<string, unknown>): unknown {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews', ...spec } };
}
function dr(spec: Record<string, unknown>): DestinationRule {
  const [doc] = validateRuleObjects([rule(spec)], 'rest');
  if (doc?.kind !== 'DestinationRule') throw new Error('expected a DestinationRule');
  return doc.spec;
}
function parsed(yaml: string): DestinationRule {
  const [doc] = parseRuleDocuments(yaml, 'dr.yaml');
  if (doc?.kind !== 'DestinationRule') throw new Error('expected a DestinationRule');
  return doc.spec;
}
function drIssues(spec: Record<string, unknown>): RuleIssue[] {
  try {
    validateRuleObjects([rule(spec)], 'rest');
  } catch (err) {
    if (err instanceof RuleValidationError) return [...err.issues];
  }
  throw new Error('expected a RuleValidationError');
}

// istio.io docs/tasks/traffic-management/circuit-breaking (v1alpha3 edition), verbatim: the
// deprecated consecutiveErrors, and the same rule as `kubectl get -o yaml` printed it.
const CIRCUIT_BREAKER = `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: httpbin
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 1
      http:
        http1MaxPendingRequests: 1
        maxRequestsPerConnection: 1
    outlierDetection:
      consecutiveErrors: 1
      interval: 1s
      baseEjectionTime: 3m
      maxEjectionPercent: 100
`;
const CIRCUIT_BREAKER_AS_PRINTED = `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: httpbin
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      http:
        http1MaxPendingRequests: 1
        maxRequestsPerConnection: 1
      tcp:
        maxConnections: 1
    outlierDetection:
      baseEjectionTime: 180.000s
      consecutiveErrors: 1
      interval: 1.000s
      maxEjectionPercent: 100
`;

describe('DestinationRule: Istio defaults', () => {
  it.each([
    [{ simple: 'LEAST_CONN' }, { simple: 'LEAST_REQUEST', consistentHash: null, localityLbEnabled: null }],
    [{ simple: 'UNSPECIFIED' }, { simple: 'LEAST_REQUEST', consistentHash: null, localityLbEnabled: null }],
    [{ localityLbSetting: { enabled: false } }, { simple: 'LEAST_REQUEST', consistentHash: null, localityLbEnabled: false }],
    [{ simple: 'RANDOM' }, { simple: 'RANDOM', consistentHash: null, localityLbEnabled: null }],
    [
      { consistentHash: { httpHeaderName: 'X-User', maglev: { tableSize: 65537 } } },
      { simple: 'LEAST_REQUEST', consistentHash: { key: { kind: 'header', name: 'x-user' }, algorithm: { kind: 'maglev', tableSize: 65537 } }, localityLbEnabled: null },
    ],
    [
      { consistentHash: { useSourceIp: true, minimumRingSize: 4096 } },
      { simple: 'LEAST_REQUEST', consistentHash: { key: { kind: 'sourceIp' }, algorithm: { kind: 'ringHash', minimumRingSize: 4096 } }, localityLbEnabled: null },
    ],
    [
      { consistentHash: { httpQueryParameterName: 'user', ringHash: { minimumRingSize: 256 } } },
      { simple: 'LEAST_REQUEST', consistentHash: { key: { kind: 'queryParameter', name: 'user' }, algorithm: { kind: 'ringHash', minimumRingSize: 256 } }, localityLbEnabled: null },
    ],
  ])('loadBalancer %j', (loadBalancer, expected) => {
    expect(dr({ trafficPolicy: { loadBalancer } }).trafficPolicy?.loadBalancer).toEqual(expected);
  });

  it.each([
    ['an empty block (5 / 10s / 30s / 10%)', {}, { consecutive5xxErrors: 5, consecutiveGatewayErrors: 0, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 10 }],
    ['consecutiveGatewayErrors only keeps 5xx at 5', { consecutiveGatewayErrors: 3 }, { consecutive5xxErrors: 5, consecutiveGatewayErrors: 3 }],
    ['consecutive5xxErrors 0 disables it', { consecutive5xxErrors: 0 }, { consecutive5xxErrors: 0 }],
    ['local origin split', { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 }, { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 }],
  ])('outlierDetection: %s', (_name, outlierDetection, expected) => {
    expect(dr({ trafficPolicy: { outlierDetection } }).trafficPolicy?.outlierDetection).toMatchObject(expected);
  });

  it.each([
    ['as applied', CIRCUIT_BREAKER],
    ['as kubectl printed it', CIRCUIT_BREAKER_AS_PRINTED],
  ])('httpbin circuit breaker %s: consecutiveErrors counts gateway errors only', (_name, yaml) => {
    const policy = parsed(yaml).trafficPolicy;
    expect(policy?.connectionPool?.http).toMatchObject({ http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 });
    expect(policy?.connectionPool?.tcp.maxConnections).toBe(1);
    expect(policy?.outlierDetection).toMatchObject({
      consecutive5xxErrors: 0,
      consecutiveGatewayErrors: 1,
      intervalMs: 1000,
      baseEjectionTimeMs: 180_000,
      maxEjectionPercent: 100,
    });
  });

  it('tcp idleTimeout 0s disables it', () => {
    expect(dr({ trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } }).trafficPolicy?.connectionPool?.tcp.idleTimeoutMs).toBeNull();
  });
});

describe('resolveTrafficPolicy: Istio merges destination → port → subset → subset port', () => {
  const rr = { loadBalancer: { simple: 'ROUND_ROBIN' } };
  const rule = dr({
    trafficPolicy: {
      loadBalancer: { simple: 'RANDOM' },
      outlierDetection: { consecutive5xxErrors: 7 },
      portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 5 } } }],
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: rr },
      { name: 'v3', labels: { version: 'v3' }, trafficPolicy: { ...rr, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } },
    ],
  });

  it.each([
    ['host, no port', null, null, 'RANDOM', 7, 4_294_967_295, null],
    ['host, port 9080: the port entry replaces every block', null, 9080, 'LEAST_REQUEST', null, 5, null],
    ['subset without a policy inherits', 'v1', null, 'RANDOM', 7, 4_294_967_295, null],
    ['subset overrides the load balancer only', 'v2', null, 'ROUND_ROBIN', 7, 4_294_967_295, null],
    ['subset on port 9080 overlays the port policy', 'v2', 9080, 'ROUND_ROBIN', null, 5, null],
    ['subset port entry replaces everything', 'v3', 80, 'LEAST_REQUEST', null, 4_294_967_295, 'ISTIO_MUTUAL'],
    ['unknown subset = the host', 'v9', null, 'RANDOM', 7, 4_294_967_295, null],
  ] as const)('%s', (_name, subset, port, lb, consecutive5xx, maxConnections, tlsMode) => {
    const policy = resolveTrafficPolicy(rule, subset, port);
    expect(policy.loadBalancer.simple).toBe(lb);
    expect(policy.outlierDetection?.consecutive5xxErrors ?? null).toBe(consecutive5xx);
    expect(policy.connectionPool.tcp.maxConnections).toBe(maxConnections);
    expect(policy.tls?.mode ?? null).toBe(tlsMode);
  });
});

describe('DestinationRule: rejected fields', () => {
  it.each([
    ['duplicate subset names', { subsets: [{ name: 'v1' }, { name: 'v1' }] }, 'spec.subsets[1].name', 'duplicate subset name v1'],
    ['subset name not a DNS label', { subsets: [{ name: 'V_1' }] }, 'spec.subsets[0].name', 'DNS-1123 label'],
    ['portLevelSettings without port', { trafficPolicy: { portLevelSettings: [{ loadBalancer: { simple: 'RANDOM' } }] } }, 'spec.trafficPolicy.portLevelSettings[0].port', 'is required'],
    ['locality distribute', { trafficPolicy: { loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'b/*': 100 } }] } } } }, 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute', 'only localityLbSetting.enabled is honoured'],
    ['locality failover', { trafficPolicy: { loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } } } }, 'spec.trafficPolicy.loadBalancer.localityLbSetting.failover', 'not supported yet'],
    ['simple and consistentHash', { trafficPolicy: { loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } } }, 'spec.trafficPolicy.loadBalancer', 'only one of simple, consistentHash'],
    ['maglev table not prime', { trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 1000 } } } } }, 'spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize', 'prime'],
    ['hash without a key', { trafficPolicy: { loadBalancer: { consistentHash: { ringHash: { minimumRingSize: 10 } } } } }, 'spec.trafficPolicy.loadBalancer.consistentHash', 'exactly one of httpHeaderName'],
    ['unknown simple', { trafficPolicy: { loadBalancer: { simple: 'WEIGHTED' } } }, 'spec.trafficPolicy.loadBalancer.simple', 'Invalid option'],
    ['MUTUAL without key', { trafficPolicy: { tls: { mode: 'MUTUAL', clientCertificate: '/c.pem' } } }, 'spec.trafficPolicy.tls', 'private key required'],
    ['empty traffic policy', { trafficPolicy: {} }, 'spec.trafficPolicy', 'at least one field'],
    ['connectTimeout below 1ms', { trafficPolicy: { connectionPool: { tcp: { connectTimeout: '0s' } } } }, 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'at least 1ms'],
    ['maxEjectionPercent over 100', { trafficPolicy: { outlierDetection: { maxEjectionPercent: 150 } } }, 'spec.trafficPolicy.outlierDetection.maxEjectionPercent', '100'],
    ['tunnel', { trafficPolicy: { tunnel: { targetHost: 'a', targetPort: 1 } } }, 'spec.trafficPolicy.tunnel', 'not supported yet'],
    ['typo in a field name', { trafficPolicy: { connectionPool: { tcp: { maxConnection: 1 } } } }, 'spec.trafficPolicy.connectionPool.tcp.maxConnection', 'unknown field "maxConnection"'],
  ])('%s', (_name, spec, path, message) => {
    expect(drIssues(spec)).toContainEqual({ document: 'rest#1 DestinationRule shop/reviews', path, message: expect.stringContaining(message) });
  });
});
