/**
 * The normalized DestinationRule. A block the user wrote comes with Istio's defaults filled in; a
 * block the user left out is `null`, because Istio merges policies block by block (destination →
 * port → subset → subset port). `resolveTrafficPolicy` does that merge and fills the remaining
 * defaults.
 */

/** `UNSPECIFIED`, `LEAST_CONN` (deprecated) and an absent `simple` all mean LEAST_REQUEST (Istio). */
export type SimpleLb = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'PASSTHROUGH';

export type HashKey =
  | { kind: 'header'; name: string }
  /** `ttlMs` null: Envoy does not generate the cookie; 0: a session cookie. */
  | { kind: 'cookie'; name: string; path: string | null; ttlMs: number | null }
  | { kind: 'sourceIp' }
  | { kind: 'queryParameter'; name: string };

export type HashAlgorithm = { kind: 'ringHash'; minimumRingSize: number } | { kind: 'maglev'; tableSize: number };

export interface ConsistentHash {
  key: HashKey;
  /** Default ring hash with minimumRingSize 1024 (Envoy's default); the deprecated top-level `minimumRingSize` lands here. */
  algorithm: HashAlgorithm;
}

export interface LoadBalancer {
  simple: SimpleLb;
  /** When set it wins over `simple` (Istio's oneof). */
  consistentHash: ConsistentHash | null;
  /** `localityLbSetting.enabled`; null = the mesh default. */
  localityLbEnabled: boolean | null;
}

export interface TcpKeepalive {
  probes: number | null;
  timeMs: number | null;
  intervalMs: number | null;
}

export interface TcpPoolSettings {
  /** Default 2^32-1. */
  maxConnections: number;
  /** Default 10 s. */
  connectTimeoutMs: number;
  /** null = no SO_KEEPALIVE. */
  tcpKeepalive: TcpKeepalive | null;
  /** null = no limit. */
  maxConnectionDurationMs: number | null;
  /** Default 1 h; null = disabled ("0s"). */
  idleTimeoutMs: number | null;
}

export interface HttpPoolSettings {
  /** Default 2^32-1. */
  http1MaxPendingRequests: number;
  /** Default 2^32-1. */
  http2MaxRequests: number;
  /** 0 = unlimited (default); 1 disables keep-alive. */
  maxRequestsPerConnection: number;
  /** Default 2^32-1. */
  maxRetries: number;
  /** Default 1 h. */
  idleTimeoutMs: number;
  h2UpgradePolicy: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
  useClientProtocol: boolean;
  /** Default 2^31-1. */
  maxConcurrentStreams: number;
}

export interface ConnectionPool {
  tcp: TcpPoolSettings;
  http: HttpPoolSettings;
}

/** Off unless configured. */
export interface OutlierDetection {
  /** Default 5; 0 disables. 0 by default when only the deprecated `consecutiveErrors` is set. */
  consecutive5xxErrors: number;
  /** 502/503/504 only; 0 = off (default). The deprecated `consecutiveErrors` lands here. */
  consecutiveGatewayErrors: number;
  splitExternalLocalOriginErrors: boolean;
  /** Used only with splitExternalLocalOriginErrors; default 5. */
  consecutiveLocalOriginFailures: number;
  /** Default 10 s. */
  intervalMs: number;
  /** Default 30 s; an ejection lasts this × the times the host was ejected. */
  baseEjectionTimeMs: number;
  /** Default 10 (also for 0). */
  maxEjectionPercent: number;
  /** Default 0 (panic mode off). */
  minHealthPercent: number;
}

export interface ClientTls {
  mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
  sni: string | null;
  subjectAltNames: string[];
  caCertificates: string | null;
  clientCertificate: string | null;
  privateKey: string | null;
  credentialName: string | null;
  insecureSkipVerify: boolean;
}

/** The four blocks a policy level may set; null = not set at this level. */
export interface PolicyBlocks {
  loadBalancer: LoadBalancer | null;
  connectionPool: ConnectionPool | null;
  outlierDetection: OutlierDetection | null;
  tls: ClientTls | null;
}

/** Port-level settings replace all four blocks for that port: a block left out gets its default. */
export interface PortTrafficPolicy extends PolicyBlocks {
  port: number;
}

export interface TrafficPolicy extends PolicyBlocks {
  portLevelSettings: PortTrafficPolicy[];
}

export interface Subset {
  name: string;
  labels: Record<string, string>;
  trafficPolicy: TrafficPolicy | null;
}

export interface DestinationRule {
  host: string;
  trafficPolicy: TrafficPolicy | null;
  subsets: Subset[];
  /** Default `["*"]`. */
  exportTo: string[];
  /** `workloadSelector.matchLabels`; null = applies to every workload that sees the rule. */
  workloadSelector: Record<string, string> | null;
}

/** What applies to one (subset, port) of a destination, defaults filled (`resolveTrafficPolicy`). */
export interface EffectiveTrafficPolicy {
  loadBalancer: LoadBalancer;
  connectionPool: ConnectionPool;
  outlierDetection: OutlierDetection | null;
  tls: ClientTls | null;
}
