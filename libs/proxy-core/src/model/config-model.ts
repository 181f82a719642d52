import type { RbacModel } from './rbac-model';

/**
 * The proxy's internal configuration model: what Envoy v3 resources (from the static bootstrap or,
 * later, xDS) are translated into once, validated, and frozen. The data path reads only these types.
 * Durations are milliseconds; `null` means "not set / disabled".
 */

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED' | 'UNKNOWN';

export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

export interface EndpointModel {
  readonly address: string;
  readonly port: number;
  /** load_balancing_weight of the endpoint (default 1) times nothing else. */
  readonly weight: number;
  readonly health: HealthStatus;
  readonly locality: Locality;
  /** Weight of the endpoint's locality (locality_weighted_lb_config), 1 when absent. */
  readonly localityWeight: number;
  readonly priority: number;
}

export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV' | 'PEAK_EWMA';

export interface CircuitBreakersModel {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
}

export interface OutlierDetectionModel {
  readonly consecutive5xx: number | null;
  readonly consecutiveGatewayFailure: number | null;
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  readonly maxEjectionPercent: number;
  readonly enforcingConsecutive5xx: number;
  readonly enforcingConsecutiveGatewayFailure: number;
}

export interface RetryBudgetModel {
  /** Share of active requests that may be retries (0..1). */
  readonly budgetPercent: number;
  readonly minRetryConcurrency: number;
}

export interface ClusterModel {
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly lbPolicy: LbPolicy;
  /** LEAST_REQUEST / PEAK_EWMA: number of random choices (P2C = 2). */
  readonly choiceCount: number;
  readonly ringHash: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  readonly maglevTableSize: number;
  /** Upstream protocol: http1, or http2 (h2c prior knowledge; needed for gRPC). */
  readonly protocol: 'http1' | 'http2';
  readonly endpoints: readonly EndpointModel[];
  readonly circuitBreakers: CircuitBreakersModel;
  readonly retryBudget: RetryBudgetModel | null;
  readonly outlierDetection: OutlierDetectionModel | null;
  /** Idle upstream connection timeout (common_http_protocol_options.idle_timeout). */
  readonly idleTimeoutMs: number | null;
  readonly maxRequestsPerConnection: number | null;
  /** common_lb_config.locality_weighted_lb_config: localities share load by their weights. */
  readonly localityWeighted: boolean;
  /** transport_socket envoy.transport_sockets.tls (UpstreamTlsContext): mTLS with the workload SVID; null: plaintext. */
  readonly tls: UpstreamTlsModel | null;
  /**
   * STRICT_DNS / LOGICAL_DNS: `endpoints` carry hostnames, resolved at run time into the hosts;
   * null: STATIC or EDS (endpoints are IP addresses).
   */
  readonly dns: DnsDiscoveryModel | null;
}

/** Envoy's Cluster.DnsLookupFamily (default AUTO: IPv6 addresses if there are any, else IPv4). */
export type DnsLookupFamily = 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';

/** How a DNS cluster finds its hosts (Envoy's strict and logical DNS service discovery). */
export interface DnsDiscoveryModel {
  /** STRICT_DNS: every address of every hostname is a host. LOGICAL_DNS: the first address only. */
  readonly type: 'STRICT_DNS' | 'LOGICAL_DNS';
  readonly lookupFamily: DnsLookupFamily;
  /** dns_refresh_rate: re-resolution period after an answer (default 5000). */
  readonly refreshRateMs: number;
  /** dns_failure_refresh_rate: jittered exponential back-off after failed lookups; null: refreshRateMs. */
  readonly failureRefresh: { readonly baseMs: number; readonly maxMs: number } | null;
  /** wait_for_warm_on_init (default true): the proxy is not ready before the first resolution ends. */
  readonly waitForWarmOnInit: boolean;
}

/**
 * Upstream TLS of a cluster. `mesh`: Istio's mTLS (ISTIO_MUTUAL / auto mTLS) with the proxy's SVID (SDS
 * `default`), peers verified against the trust bundle (SDS `ROOTCA`). `files`: TLS origination with
 * certificates from files on the proxy's host (DestinationRule SIMPLE / MUTUAL), read when the config
 * is accepted.
 */
export type UpstreamTlsModel = MeshUpstreamTlsModel | FileUpstreamTlsModel;

interface UpstreamTlsCommon {
  /** SNI sent in the ClientHello ('' = none). */
  readonly sni: string;
  /**
   * Accepted SANs of the server certificate (exact): mesh: URI SANs (SPIFFE IDs); files: `DNS:<name>`
   * or `URI:<uri>`. Empty: any certificate the trust anchors verify.
   */
  readonly subjectAltNames: readonly string[];
}

export interface MeshUpstreamTlsModel extends UpstreamTlsCommon {
  readonly source: 'mesh';
}

export interface FileUpstreamTlsModel extends UpstreamTlsCommon {
  readonly source: 'files';
  /**
   * The client side of the handshake built from the files (trusted CAs, and for MUTUAL the client
   * certificate chain and key): an opaque node:tls SecureContext, so key material never sits in a
   * plain field that a dump or a log could print.
   */
  readonly secureContext: unknown;
  /** validation_context.trusted_ca given: the server chain must verify; false: not verified (insecureSkipVerify). */
  readonly verify: boolean;
  /** The files it was built from (for /config_dump and errors; never their contents). */
  readonly files: { readonly trustedCa: string | null; readonly certificateChain: string | null; readonly privateKey: string | null };
}

/** Downstream TLS of a listener: the proxy's SVID, client certificates verified against the trust bundle. */
export interface DownstreamTlsModel {
  /** require_client_certificate (mutual TLS). */
  readonly requireClientCertificate: boolean;
  /** PERMISSIVE: a `raw_buffer` filter chain serves plaintext on the same port (TLS told apart by its first byte). */
  readonly allowPlaintext: boolean;
}

export type StringMatchKind = 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex';

export interface StringMatcherModel {
  readonly kind: StringMatchKind;
  readonly value: string;
  readonly ignoreCase: boolean;
}

export interface HeaderMatcherModel {
  /** Lower-case header name; `:method`, `:authority`, `:path`, `:scheme` address pseudo-headers. */
  readonly name: string;
  /** null: present_match (true) — the header must be present. */
  readonly match: StringMatcherModel | null;
  /** present_match: false → must be absent. */
  readonly presentMatch: boolean;
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;
}

export interface QueryParameterMatcherModel {
  readonly name: string;
  /** null: present_match. */
  readonly match: StringMatcherModel | null;
}

export interface RouteMatchModel {
  readonly path:
    | { readonly kind: 'prefix'; readonly value: string }
    | { readonly kind: 'path'; readonly value: string }
    | { readonly kind: 'safe_regex'; readonly value: string }
    | { readonly kind: 'path_separated_prefix'; readonly value: string };
  readonly caseSensitive: boolean;
  readonly headers: readonly HeaderMatcherModel[];
  readonly queryParameters: readonly QueryParameterMatcherModel[];
  /** match.grpc: only requests with content-type application/grpc*. */
  readonly grpc: boolean;
}

export interface HeaderValueOption {
  readonly name: string;
  readonly value: string;
  /** APPEND_IF_EXISTS_OR_ADD (true) or OVERWRITE_IF_EXISTS_OR_ADD (false). */
  readonly append: boolean;
}

export interface HeaderMutationsModel {
  readonly requestHeadersToAdd: readonly HeaderValueOption[];
  readonly requestHeadersToRemove: readonly string[];
  readonly responseHeadersToAdd: readonly HeaderValueOption[];
  readonly responseHeadersToRemove: readonly string[];
}

export interface RetryPolicyModel {
  /** Envoy retry_on conditions: 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx,
   *  retriable-status-codes, and gRPC: cancelled, deadline-exceeded, internal, resource-exhausted, unavailable. */
  readonly retryOn: ReadonlySet<string>;
  readonly numRetries: number;
  readonly perTryTimeoutMs: number | null;
  readonly retriableStatusCodes: readonly number[];
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** retry_host_predicate envoy.retry_host_predicates.previous_hosts */
  readonly previousHosts: boolean;
  readonly hostSelectionRetryMaxAttempts: number;
}

export type HashPolicyModel =
  | { readonly kind: 'header'; readonly name: string; readonly terminal: boolean }
  | { readonly kind: 'cookie'; readonly name: string; readonly terminal: boolean }
  | { readonly kind: 'source_ip'; readonly terminal: boolean }
  | { readonly kind: 'query_parameter'; readonly name: string; readonly terminal: boolean };

export interface MirrorPolicyModel {
  readonly cluster: string;
  /** Fraction of requests mirrored, 0..1. */
  readonly fraction: number;
}

export interface WeightedClusterModel {
  readonly name: string;
  readonly weight: number;
  readonly mutations: HeaderMutationsModel;
}

export interface ForwardActionModel {
  readonly kind: 'route';
  /** One entry with weight 1 for `cluster`; several for `weighted_clusters`. */
  readonly clusters: readonly WeightedClusterModel[];
  readonly totalWeight: number;
  readonly prefixRewrite: string | null;
  readonly regexRewrite: { readonly pattern: string; readonly substitution: string } | null;
  readonly hostRewriteLiteral: string | null;
  readonly timeoutMs: number | null;
  readonly idleTimeoutMs: number | null;
  readonly retryPolicy: RetryPolicyModel | null;
  readonly mirrors: readonly MirrorPolicyModel[];
  readonly hashPolicy: readonly HashPolicyModel[];
  readonly upgradeWebsocket: boolean | null;
}

export interface RedirectActionModel {
  readonly kind: 'redirect';
  readonly schemeRedirect: string | null;
  readonly hostRedirect: string | null;
  readonly portRedirect: number | null;
  readonly pathRedirect: string | null;
  readonly prefixRewrite: string | null;
  /** 301, 302, 303, 307 or 308. */
  readonly responseCode: number;
  readonly stripQuery: boolean;
}

export interface DirectResponseActionModel {
  readonly kind: 'direct_response';
  readonly status: number;
  readonly body: string | null;
}

export type RouteActionModel = ForwardActionModel | RedirectActionModel | DirectResponseActionModel;

export interface FaultModel {
  readonly delay: { readonly fixedDelayMs: number; readonly fraction: number } | null;
  readonly abort: { readonly httpStatus: number | null; readonly grpcStatus: number | null; readonly fraction: number } | null;
}

export interface LocalRateLimitModel {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
  /** filter_enabled / filter_enforced fractions (0..1); default 1. */
  readonly enabledFraction: number;
  readonly enforcedFraction: number;
  readonly responseHeadersToAdd: readonly HeaderValueOption[];
}

/** Per-route overrides of HTTP filters (typed_per_filter_config), keyed by filter kind. */
export interface PerFilterConfigModel {
  readonly fault: FaultModel | null;
  readonly localRateLimit: LocalRateLimitModel | null;
}

export interface RouteModel {
  readonly name: string;
  readonly match: RouteMatchModel;
  readonly action: RouteActionModel;
  readonly mutations: HeaderMutationsModel;
  readonly perFilter: PerFilterConfigModel;
}

export interface VirtualHostModel {
  readonly name: string;
  /** Envoy domain forms: exact, `*.suffix`, `prefix.*`, `*`; may include a port. */
  readonly domains: readonly string[];
  readonly routes: readonly RouteModel[];
  readonly mutations: HeaderMutationsModel;
  readonly retryPolicy: RetryPolicyModel | null;
  readonly perFilter: PerFilterConfigModel;
}

export interface RouteConfigModel {
  readonly name: string;
  readonly virtualHosts: readonly VirtualHostModel[];
  readonly mutations: HeaderMutationsModel;
}

export type HttpFilterModel =
  | { readonly kind: 'fault'; readonly name: string; readonly config: FaultModel }
  | { readonly kind: 'local_ratelimit'; readonly name: string; readonly config: LocalRateLimitModel | null }
  | { readonly kind: 'rbac'; readonly name: string; readonly config: RbacModel }
  | { readonly kind: 'router'; readonly name: string };

export interface HttpConnectionManagerModel {
  readonly statPrefix: string;
  /** Inline route_config (bootstrap) or the RDS name (xDS, later). */
  readonly routeConfig: RouteConfigModel | null;
  readonly rdsRouteConfigName: string | null;
  readonly httpFilters: readonly HttpFilterModel[];
  readonly codecType: 'AUTO' | 'HTTP1' | 'HTTP2';
  readonly streamIdleTimeoutMs: number | null;
  readonly requestTimeoutMs: number | null;
  /** common_http_protocol_options.idle_timeout (downstream connection idle). */
  readonly idleTimeoutMs: number | null;
  readonly maxRequestHeadersKb: number;
  readonly upgradeWebsocket: boolean;
  readonly generateRequestId: boolean;
  /** traffic_direction of the listener. */
  readonly direction: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
}

export interface TcpProxyModel {
  readonly statPrefix: string;
  readonly cluster: string;
  readonly idleTimeoutMs: number | null;
}

export interface ListenerModel {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly direction: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
  /** Exactly one of http / tcp. */
  readonly http: HttpConnectionManagerModel | null;
  readonly tcp: TcpProxyModel | null;
  /** TLS on the listener's filter chain(s); null: plaintext only. */
  readonly tls: DownstreamTlsModel | null;
}

export interface AdminModel {
  readonly address: string;
  readonly port: number;
}

/** One immutable configuration snapshot: swapped as a whole, never mutated. */
export interface ConfigSnapshot {
  readonly version: string;
  readonly listeners: readonly ListenerModel[];
  readonly clusters: ReadonlyMap<string, ClusterModel>;
  readonly admin: AdminModel | null;
  /** node.id / node.cluster of the bootstrap (service identity in metrics). */
  readonly node: { readonly id: string; readonly cluster: string };
}
