import type { ConnectionPool, EffectiveTrafficPolicy, LoadBalancer, OutlierDetection } from '@weft/api';
import type { MeshPort } from '../model/mesh-service';
import type { GeneratorScope } from './generator-scope';
import { upstreamTlsSocket, type UpstreamTlsView } from './tls.generator';
import { adsConfigSource, duration, HTTP_PROTOCOL_OPTIONS_KEY, TYPE_PREFIX } from './xds-values';

/** One outbound cluster: a service port, optionally a subset, with its merged traffic policy. */
export interface ClusterView {
  readonly name: string;
  readonly port: MeshPort;
  /** resolveTrafficPolicy(rule, subset, port), or the defaults without a DestinationRule. */
  readonly policy: EffectiveTrafficPolicy;
  readonly scope: GeneratorScope;
  /** mTLS to a meshed destination (DestinationRule ISTIO_MUTUAL or auto mTLS); null: plaintext. */
  readonly tls?: UpstreamTlsView | null;
}

const INBOUND_CONNECT_TIMEOUT_MS = 10_000;
const UNLIMITED = 4_294_967_295;

/**
 * envoy.config.cluster.v3.Cluster `outbound|<port>|<subset>|<fqdn>`: EDS over ADS with Istio's
 * semantics (defaults already filled by the policy: LEAST_REQUEST, connect timeout 10 s, pool limits
 * 2^32-1; outlier detection only when configured). gRPC clients get ROUND_ROBIN or RING_HASH only and
 * no upstream HTTP protocol options (they always speak HTTP/2).
 */
export function generateCluster(view: ClusterView): Record<string, unknown> {
  const pool = view.policy.connectionPool;
  const cluster: Record<string, unknown> = {
    name: view.name,
    type: 'EDS',
    eds_cluster_config: { eds_config: adsConfigSource() },
    connect_timeout: duration(pool.tcp.connectTimeoutMs),
    ...loadBalancing(view.policy.loadBalancer, view.scope),
    circuit_breakers: { thresholds: [thresholds(pool)] },
  };
  if (view.policy.outlierDetection !== null) cluster.outlier_detection = outlierDetection(view.policy.outlierDetection);
  if (view.tls !== undefined && view.tls !== null) cluster.transport_socket = upstreamTlsSocket(view.tls);
  if (view.scope === 'sidecar' && view.port.protocol !== 'tcp') {
    cluster.typed_extension_protocol_options = { [HTTP_PROTOCOL_OPTIONS_KEY]: httpProtocolOptions(view.port, pool) };
  }
  return cluster;
}

/** The sidecar's `inbound|<appPort>||` cluster: the local app on 127.0.0.1, Istio's unlimited pool. */
export function generateInboundCluster(name: string, appPort: number): Record<string, unknown> {
  const unlimited = { value: UNLIMITED };
  return {
    name,
    type: 'STATIC',
    connect_timeout: duration(INBOUND_CONNECT_TIMEOUT_MS),
    lb_policy: 'ROUND_ROBIN',
    circuit_breakers: { thresholds: [{ max_connections: unlimited, max_pending_requests: unlimited, max_requests: unlimited, max_retries: unlimited }] },
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: appPort } } } }] }],
    },
  };
}

/** consistentHash wins over simple; PASSTHROUGH (original destination) is not supported: LEAST_REQUEST. */
function loadBalancing(lb: LoadBalancer, scope: GeneratorScope): Record<string, unknown> {
  const hash = lb.consistentHash;
  if (hash !== null) {
    const algorithm = hash.algorithm;
    if (algorithm.kind === 'maglev' && scope === 'sidecar') return { lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: algorithm.tableSize } } };
    const ringSize = algorithm.kind === 'ringHash' ? algorithm.minimumRingSize : null;
    return { lb_policy: 'RING_HASH', ...(ringSize === null ? {} : { ring_hash_lb_config: { minimum_ring_size: { value: ringSize } } }) };
  }
  if (scope === 'grpc') return { lb_policy: 'ROUND_ROBIN' };
  return { lb_policy: lb.simple === 'ROUND_ROBIN' || lb.simple === 'RANDOM' ? lb.simple : 'LEAST_REQUEST' };
}

function thresholds(pool: ConnectionPool): Record<string, unknown> {
  return {
    max_connections: { value: pool.tcp.maxConnections },
    max_pending_requests: { value: pool.http.http1MaxPendingRequests },
    max_requests: { value: pool.http.http2MaxRequests },
    max_retries: { value: pool.http.maxRetries },
  };
}

function outlierDetection(od: OutlierDetection): Record<string, unknown> {
  const out: Record<string, unknown> = {
    consecutive_5xx: { value: od.consecutive5xxErrors },
    interval: duration(od.intervalMs),
    base_ejection_time: duration(od.baseEjectionTimeMs),
    max_ejection_percent: { value: od.maxEjectionPercent },
    enforcing_success_rate: { value: 0 },
  };
  if (od.consecutive5xxErrors === 0) out.enforcing_consecutive_5xx = { value: 0 };
  if (od.consecutiveGatewayErrors > 0) {
    out.consecutive_gateway_failure = { value: od.consecutiveGatewayErrors };
    out.enforcing_consecutive_gateway_failure = { value: 100 };
  }
  return out;
}

/** Upstream protocol: HTTP/2 for http2/grpc ports or h2UpgradePolicy UPGRADE; idle timeout; requests per connection. */
function httpProtocolOptions(port: MeshPort, pool: ConnectionPool): Record<string, unknown> {
  const http2 = port.protocol === 'http2' || port.protocol === 'grpc' || pool.http.h2UpgradePolicy === 'UPGRADE';
  const common: Record<string, unknown> = { idle_timeout: duration(pool.http.idleTimeoutMs) };
  if (pool.http.maxRequestsPerConnection > 0) common.max_requests_per_connection = { value: pool.http.maxRequestsPerConnection };
  return {
    '@type': `${TYPE_PREFIX}${HTTP_PROTOCOL_OPTIONS_KEY}`,
    common_http_protocol_options: common,
    explicit_http_config: http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
  };
}
