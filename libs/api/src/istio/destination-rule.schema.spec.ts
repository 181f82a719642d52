import type { DestinationRule } from './destination-rule.types';
import { parseRuleDocuments } from './documents';
import { defaultConnectionPool } from './traffic-policy.schema';

function drs(yaml: string): DestinationRule[] {
  return parseRuleDocuments(yaml, 'dr.yaml').map((doc) => {
    if (doc.kind !== 'DestinationRule') throw new Error('expected DestinationRules only');
    return doc.spec;
  });
}
function dr(yaml: string): DestinationRule {
  const [one] = drs(yaml);
  if (one === undefined) throw new Error('no document');
  return one;
}

// samples/bookinfo/networking/destination-rule-all.yaml (istio/istio), verbatim, trailing '---' included.
const DESTINATION_RULE_ALL = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: productpage
spec:
  host: productpage
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v2-mysql
    labels:
      version: v2-mysql
  - name: v2-mysql-vm
    labels:
      version: v2-mysql-vm
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: details
spec:
  host: details
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
---
`;

// The DestinationRule reference page examples (istio/api destination_rule.proto), verbatim.
const LEAST_REQUEST_WITH_SUBSET = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-ratings
spec:
  host: ratings.prod.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: LEAST_REQUEST
  subsets:
  - name: testversion
    labels:
      version: v3
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
`;

const PORT_LEVEL = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-ratings-port
spec:
  host: ratings.prod.svc.cluster.local
  trafficPolicy: # Apply to all ports
    portLevelSettings:
    - port:
        number: 80
      loadBalancer:
        simple: LEAST_REQUEST
    - port:
        number: 9080
      loadBalancer:
        simple: ROUND_ROBIN
`;

const STICKY_COOKIE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-ratings
spec:
  host: ratings.prod.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie:
          name: user
          ttl: 0s
`;

const REDIS_POOL = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-redis
spec:
  host: myredissrv.prod.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
        tcpKeepalive:
          time: 7200s
          interval: 75s
`;

const REVIEWS_CB_POLICY = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-cb-policy
spec:
  host: reviews.prod.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
      http:
        http2MaxRequests: 1000
        maxRequestsPerConnection: 10
    outlierDetection:
      consecutive5xxErrors: 7
      interval: 5m
      baseEjectionTime: 15m
`;

const DB_MTLS = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: db-mtls
spec:
  host: mydbserver.prod.svc.cluster.local
  trafficPolicy:
    tls:
      mode: MUTUAL
      clientCertificate: /etc/certs/myclientcert.pem
      privateKey: /etc/certs/client_private_key.pem
      caCertificates: /etc/certs/rootcacerts.pem
`;

const WORKLOAD_SELECTOR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: configure-client-mtls-dr-with-workloadselector
spec:
  host: example.com
  workloadSelector:
    matchLabels:
      app: ratings
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
    portLevelSettings:
    - port:
        number: 31443
      tls:
        credentialName: client-credential
        mode: MUTUAL
`;

describe('DestinationRule: Istio documentation examples', () => {
  it('destination-rule-all.yaml: four rules with their subsets; the trailing empty document is skipped', () => {
    const rules = drs(DESTINATION_RULE_ALL);
    expect(rules.map((r) => [r.host, r.subsets.map((s) => s.name)])).toEqual([
      ['productpage', ['v1']],
      ['reviews', ['v1', 'v2', 'v3']],
      ['ratings', ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']],
      ['details', ['v1', 'v2']],
    ]);
    expect(rules[1]?.subsets[2]).toEqual({ name: 'v3', labels: { version: 'v3' }, trafficPolicy: null });
    expect(rules[0]).toMatchObject({ trafficPolicy: null, exportTo: ['*'], workloadSelector: null });
  });

  it('LEAST_REQUEST at the host, ROUND_ROBIN for a subset', () => {
    const rule = dr(LEAST_REQUEST_WITH_SUBSET);
    expect(rule.trafficPolicy?.loadBalancer).toEqual({ simple: 'LEAST_REQUEST', consistentHash: null, localityLbEnabled: null });
    expect(rule.trafficPolicy?.connectionPool).toBeNull();
    expect(rule.subsets[0]?.trafficPolicy?.loadBalancer?.simple).toBe('ROUND_ROBIN');
  });

  it('port-level load balancers', () => {
    const rule = dr(PORT_LEVEL);
    expect(rule.trafficPolicy?.portLevelSettings.map((p) => [p.port, p.loadBalancer?.simple])).toEqual([
      [80, 'LEAST_REQUEST'],
      [9080, 'ROUND_ROBIN'],
    ]);
  });

  it('sticky sessions: cookie hash with ttl 0s, default ring hash of 1024', () => {
    expect(dr(STICKY_COOKIE).trafficPolicy?.loadBalancer?.consistentHash).toEqual({
      key: { kind: 'cookie', name: 'user', path: null, ttlMs: 0 },
      algorithm: { kind: 'ringHash', minimumRingSize: 1024 },
    });
  });

  it('redis connection pool: limits, 30ms connect timeout, keep-alive; the rest defaulted', () => {
    const pool = dr(REDIS_POOL).trafficPolicy?.connectionPool;
    expect(pool?.tcp).toEqual({
      maxConnections: 100,
      connectTimeoutMs: 30,
      tcpKeepalive: { probes: null, timeMs: 7_200_000, intervalMs: 75_000 },
      maxConnectionDurationMs: null,
      idleTimeoutMs: 3_600_000,
    });
    expect(pool?.http).toEqual(defaultConnectionPool().http);
  });

  it('reviews circuit breaker: pool limits and outlier detection 7 / 5m / 15m', () => {
    const policy = dr(REVIEWS_CB_POLICY).trafficPolicy;
    expect(policy?.connectionPool?.http).toMatchObject({ http2MaxRequests: 1000, maxRequestsPerConnection: 10, http1MaxPendingRequests: 4_294_967_295 });
    expect(policy?.outlierDetection).toEqual({
      consecutive5xxErrors: 7,
      consecutiveGatewayErrors: 0,
      splitExternalLocalOriginErrors: false,
      consecutiveLocalOriginFailures: 5,
      intervalMs: 300_000,
      baseEjectionTimeMs: 900_000,
      maxEjectionPercent: 10,
      minHealthPercent: 0,
    });
  });

  it('client TLS: MUTUAL with files; MUTUAL with a credentialName on a port, and a workload selector', () => {
    expect(dr(DB_MTLS).trafficPolicy?.tls).toEqual({
      mode: 'MUTUAL',
      sni: null,
      subjectAltNames: [],
      caCertificates: '/etc/certs/rootcacerts.pem',
      clientCertificate: '/etc/certs/myclientcert.pem',
      privateKey: '/etc/certs/client_private_key.pem',
      credentialName: null,
      insecureSkipVerify: false,
    });
    const rule = dr(WORKLOAD_SELECTOR);
    expect(rule.workloadSelector).toEqual({ app: 'ratings' });
    expect(rule.trafficPolicy?.portLevelSettings[0]).toMatchObject({ port: 31443, loadBalancer: null, tls: { mode: 'MUTUAL', credentialName: 'client-credential' } });
  });
});
