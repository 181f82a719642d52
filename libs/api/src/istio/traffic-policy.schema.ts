import { z } from 'zod';
import { fail, headerName, int32, uint32, unsupported } from './common.schema';
import { durationMs, positiveDurationMs, zeroOrPositiveDurationMs } from './duration';
import type { ClientTls, ConnectionPool, ConsistentHash, HashKey, LoadBalancer, OutlierDetection } from './destination-rule.types';

/** DestinationRule traffic-policy blocks with Istio's (and, where Istio defers, Envoy's) defaults. */

const MAX_UINT32 = 4_294_967_295;
const MAX_INT32 = 2_147_483_647;
/** Envoy's ring-hash default, which Istio keeps. */
const DEFAULT_MINIMUM_RING_SIZE = 1024;

export function defaultLoadBalancer(): LoadBalancer {
  return { simple: 'LEAST_REQUEST', consistentHash: null, localityLbEnabled: null };
}

export function defaultConnectionPool(): ConnectionPool {
  return {
    tcp: {
      maxConnections: MAX_UINT32,
      connectTimeoutMs: 10_000,
      tcpKeepalive: null,
      maxConnectionDurationMs: null,
      idleTimeoutMs: 3_600_000,
    },
    http: {
      http1MaxPendingRequests: MAX_UINT32,
      http2MaxRequests: MAX_UINT32,
      maxRequestsPerConnection: 0,
      maxRetries: MAX_UINT32,
      idleTimeoutMs: 3_600_000,
      h2UpgradePolicy: 'DEFAULT',
      useClientProtocol: false,
      maxConcurrentStreams: MAX_INT32,
    },
  };
}

function isPrime(x: number): boolean {
  if (x < 2) return false;
  for (let f = 2; f * f <= x; f++) if (x % f === 0) return false;
  return true;
}

const hashKeyFields = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const;

const maglevTableSize = z
  .number()
  .int()
  .min(1)
  .max(5_000_010, 'tableSize must be less than 5000011 for maglev')
  .refine(isPrime, 'tableSize must be a prime number for maglev');

const consistentHash = z
  .strictObject({
    httpHeaderName: headerName.optional(),
    httpCookie: z
      .strictObject({
        name: z.string().min(1, 'name required for httpCookie'),
        path: z.string().optional(),
        ttl: durationMs.optional(),
        attributes: unsupported('httpCookie.attributes are not supported yet'),
      })
      .optional(),
    useSourceIp: z.boolean().optional(),
    httpQueryParameterName: z.string().min(1).optional(),
    ringHash: z.strictObject({ minimumRingSize: z.number().int().min(0).optional() }).optional(),
    maglev: z.strictObject({ tableSize: maglevTableSize }).optional(),
    minimumRingSize: z.number().int().min(0).optional(),
  })
  .superRefine((h, ctx) => {
    const keys = hashKeyFields.filter((k) => h[k] !== undefined && h[k] !== false);
    if (keys.length !== 1) fail(ctx, `consistentHash needs exactly one of ${hashKeyFields.join(', ')}`);
    if (h.ringHash && h.maglev) fail(ctx, 'set only one of ringHash, maglev');
    if (h.minimumRingSize && (h.ringHash || h.maglev)) {
      fail(ctx, 'only one of minimumRingSize or maglev/ringHash can be specified');
    }
  })
  .transform(
    (h): ConsistentHash => ({
      key: hashKeyOf(h),
      algorithm: h.maglev
        ? { kind: 'maglev', tableSize: h.maglev.tableSize }
        : { kind: 'ringHash', minimumRingSize: h.ringHash?.minimumRingSize || h.minimumRingSize || DEFAULT_MINIMUM_RING_SIZE },
    }),
  );

function hashKeyOf(h: {
  httpHeaderName?: string | undefined;
  httpCookie?: { name: string; path?: string | undefined; ttl?: number | undefined } | undefined;
  httpQueryParameterName?: string | undefined;
}): HashKey {
  if (h.httpHeaderName !== undefined) return { kind: 'header', name: h.httpHeaderName.toLowerCase() };
  if (h.httpCookie !== undefined) {
    return { kind: 'cookie', name: h.httpCookie.name, path: h.httpCookie.path ?? null, ttlMs: h.httpCookie.ttl ?? null };
  }
  if (h.httpQueryParameterName !== undefined) return { kind: 'queryParameter', name: h.httpQueryParameterName };
  return { kind: 'sourceIp' };
}

const localityLbSetting = z.strictObject({
  enabled: z.boolean().optional(),
  distribute: unsupported('localityLbSetting.distribute is not supported yet: only localityLbSetting.enabled is honoured'),
  failover: unsupported('localityLbSetting.failover is not supported yet: only localityLbSetting.enabled is honoured'),
  failoverPriority: unsupported('localityLbSetting.failoverPriority is not supported yet: only localityLbSetting.enabled is honoured'),
});

export const loadBalancer = z
  .strictObject({
    simple: z.enum(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST']).optional(),
    consistentHash: consistentHash.optional(),
    localityLbSetting: localityLbSetting.optional(),
    warmupDurationSecs: unsupported('warmupDurationSecs (slow start) is not supported yet'),
    warmup: unsupported('warmup (slow start) is not supported yet'),
    zoneAwareLbSetting: unsupported('zoneAwareLbSetting is not supported yet'),
  })
  .superRefine((lb, ctx) => {
    if (lb.simple !== undefined && lb.consistentHash !== undefined) {
      fail(ctx, 'set only one of simple, consistentHash');
    }
  })
  .transform((lb): LoadBalancer => {
    const simple = lb.simple === 'ROUND_ROBIN' || lb.simple === 'RANDOM' || lb.simple === 'PASSTHROUGH' ? lb.simple : 'LEAST_REQUEST';
    return { simple, consistentHash: lb.consistentHash ?? null, localityLbEnabled: lb.localityLbSetting?.enabled ?? null };
  });

const tcpSettings = z.strictObject({
  maxConnections: int32.optional(),
  connectTimeout: positiveDurationMs.optional(),
  tcpKeepalive: z
    .strictObject({ probes: uint32.optional(), time: positiveDurationMs.optional(), interval: positiveDurationMs.optional() })
    .optional(),
  maxConnectionDuration: positiveDurationMs.optional(),
  idleTimeout: zeroOrPositiveDurationMs.optional(),
});

const httpSettings = z
  .strictObject({
    http1MaxPendingRequests: int32.optional(),
    http2MaxRequests: int32.optional(),
    maxRequestsPerConnection: int32.optional(),
    maxRetries: int32.optional(),
    idleTimeout: positiveDurationMs.optional(),
    h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
    useClientProtocol: z.boolean().optional(),
    maxConcurrentStreams: int32.optional(),
    http2KeepAlive: unsupported('http2KeepAlive is not supported yet'),
  })
  .superRefine((h, ctx) => {
    if (h.h2UpgradePolicy === 'UPGRADE' && h.useClientProtocol) {
      fail(ctx, 'useClientProtocol must not be true when h2UpgradePolicy is UPGRADE');
    }
  });

/** Protobuf int32 limits: 0 means "not set", i.e. the default. */
const orDefault = (v: number | undefined, d: number) => (v !== undefined && v > 0 ? v : d);

export const connectionPool = z
  .strictObject({ tcp: tcpSettings.optional(), http: httpSettings.optional() })
  .superRefine((p, ctx) => {
    if (p.tcp === undefined && p.http === undefined) fail(ctx, 'connection pool must have at least one field');
  })
  .transform(({ tcp = {}, http = {} }): ConnectionPool => {
    const d = defaultConnectionPool();
    const ka = tcp.tcpKeepalive;
    return {
      tcp: {
        maxConnections: orDefault(tcp.maxConnections, d.tcp.maxConnections),
        connectTimeoutMs: tcp.connectTimeout ?? d.tcp.connectTimeoutMs,
        tcpKeepalive: ka === undefined ? null : { probes: ka.probes ?? null, timeMs: ka.time ?? null, intervalMs: ka.interval ?? null },
        maxConnectionDurationMs: tcp.maxConnectionDuration ?? null,
        idleTimeoutMs: tcp.idleTimeout === undefined ? d.tcp.idleTimeoutMs : tcp.idleTimeout || null,
      },
      http: {
        http1MaxPendingRequests: orDefault(http.http1MaxPendingRequests, d.http.http1MaxPendingRequests),
        http2MaxRequests: orDefault(http.http2MaxRequests, d.http.http2MaxRequests),
        maxRequestsPerConnection: http.maxRequestsPerConnection ?? 0,
        maxRetries: orDefault(http.maxRetries, d.http.maxRetries),
        idleTimeoutMs: http.idleTimeout ?? d.http.idleTimeoutMs,
        h2UpgradePolicy: http.h2UpgradePolicy ?? 'DEFAULT',
        useClientProtocol: http.useClientProtocol ?? false,
        maxConcurrentStreams: orDefault(http.maxConcurrentStreams, d.http.maxConcurrentStreams),
      },
    };
  });

const percent0to100 = z.number().int().min(0).max(100);

export const outlierDetection = z
  .strictObject({
    consecutiveErrors: int32.optional(),
    consecutive5xxErrors: uint32.optional(),
    consecutiveGatewayErrors: uint32.optional(),
    splitExternalLocalOriginErrors: z.boolean().optional(),
    consecutiveLocalOriginFailures: uint32.optional(),
    interval: positiveDurationMs.optional(),
    baseEjectionTime: positiveDurationMs.optional(),
    maxEjectionPercent: percent0to100.optional(),
    minHealthPercent: percent0to100.optional(),
    outlierDetectionHttpErrorCodes: unsupported('outlierDetectionHttpErrorCodes is not supported yet'),
  })
  .superRefine((o, ctx) => {
    if (!o.splitExternalLocalOriginErrors && (o.consecutiveLocalOriginFailures ?? 0) > 0) {
      const message = 'consecutiveLocalOriginFailures is set but splitExternalLocalOriginErrors is false';
      ctx.addIssue({ code: 'custom', path: ['consecutiveLocalOriginFailures'], message });
    }
  })
  .transform(
    (o): OutlierDetection => ({
      consecutive5xxErrors: o.consecutive5xxErrors ?? (o.consecutiveErrors ? 0 : 5),
      consecutiveGatewayErrors: o.consecutiveGatewayErrors ?? o.consecutiveErrors ?? 0,
      splitExternalLocalOriginErrors: o.splitExternalLocalOriginErrors ?? false,
      consecutiveLocalOriginFailures: orDefault(o.consecutiveLocalOriginFailures, 5),
      intervalMs: o.interval ?? 10_000,
      baseEjectionTimeMs: o.baseEjectionTime ?? 30_000,
      maxEjectionPercent: orDefault(o.maxEjectionPercent, 10),
      minHealthPercent: o.minHealthPercent ?? 0,
    }),
  );

export const clientTls = z
  .strictObject({
    mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']).optional(),
    clientCertificate: z.string().optional(),
    privateKey: z.string().optional(),
    caCertificates: z.string().optional(),
    credentialName: z.string().optional(),
    subjectAltNames: z.array(z.string()).optional(),
    sni: z.string().optional(),
    insecureSkipVerify: z.boolean().optional(),
    caCrl: unsupported('caCrl is not supported yet'),
  })
  .superRefine((t, ctx) => {
    for (const message of tlsProblems(t)) fail(ctx, message);
  })
  .transform(
    (t): ClientTls => ({
      mode: t.mode ?? 'DISABLE',
      sni: t.sni || null,
      subjectAltNames: t.subjectAltNames ?? [],
      caCertificates: t.caCertificates || null,
      clientCertificate: t.clientCertificate || null,
      privateKey: t.privateKey || null,
      credentialName: t.credentialName || null,
      insecureSkipVerify: t.insecureSkipVerify ?? false,
    }),
  );

interface TlsInput {
  mode?: string | undefined;
  clientCertificate?: string | undefined;
  privateKey?: string | undefined;
  caCertificates?: string | undefined;
  credentialName?: string | undefined;
  subjectAltNames?: string[] | undefined;
  insecureSkipVerify?: boolean | undefined;
}

/** Istio `ValidateTLS` (client side). */
function tlsProblems(t: TlsInput): string[] {
  const problems: string[] = [];
  const fileMode = t.mode === 'SIMPLE' || t.mode === 'MUTUAL';
  const verifies = t.caCertificates || t.subjectAltNames !== undefined || (t.mode === 'SIMPLE' && t.credentialName);
  if (t.insecureSkipVerify && fileMode && verifies) {
    problems.push('cannot specify caCertificates, credentialName or subjectAltNames when insecureSkipVerify is true');
  }
  if (fileMode && t.credentialName) {
    if (t.clientCertificate || t.caCertificates || t.privateKey) {
      problems.push('cannot specify client certificates or CA certificate if credentialName is set');
    }
    return problems;
  }
  if (t.mode === 'MUTUAL') {
    if (!t.clientCertificate) problems.push('client certificate required for mutual tls');
    if (!t.privateKey) problems.push('private key required for mutual tls');
  }
  return problems;
}
