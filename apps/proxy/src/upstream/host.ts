import type * as Undici from 'undici';
import type { EndpointModel, EwmaHost, HealthStatus, Locality, PeakEwma, UpstreamTlsModel } from '@weft/proxy-core';
import { upstreamTlsConnector } from '../tls/upstream-connector';
import type { WorkloadIdentity } from '../tls/workload-identity';
import { H1Pool } from './h1-pool';
import type { UpstreamDispatcher } from './upstream-dispatcher';

export interface HostPoolOptions {
  readonly protocol: 'http1' | 'http2';
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number | null;
  readonly maxRequestsPerConnection: number | null;
  /** TLS origination (mesh mTLS or files); null: plaintext. */
  readonly tls: UpstreamTlsModel | null;
}

/**
 * One upstream endpoint of a cluster with its connection pool: HTTP/1.1 keep-alive connections
 * (the fast H1Pool in plaintext, undici's Pool over mTLS) or one multiplexed HTTP/2 session (h2c,
 * undici H2CClient). Fixed shape.
 */
export class Host implements EwmaHost {
  readonly id: string;
  readonly address: string;
  /** The DNS name this address was resolved from (STRICT_DNS / LOGICAL_DNS); '' otherwise. */
  readonly hostname: string;
  readonly port: number;
  readonly weight: number;
  readonly locality: Locality;
  /** EDS priority level: 0 is preferred; higher levels serve when lower ones are down. */
  readonly priority: number;
  health: HealthStatus;
  activeRequests = 0;
  available: boolean;
  ejected = false;
  /** Completed requests by class, for /clusters and metrics. */
  rqSuccess = 0;
  rqError = 0;
  readonly dispatcher: UpstreamDispatcher;

  constructor(
    ep: EndpointModel,
    pool: HostPoolOptions,
    /** Peak-EWMA latency estimate (read by the PEAK_EWMA balancer, fed by every attempt). */
    readonly ewma: PeakEwma,
    /** Effective load-balancing weight (endpoint and locality weights, see effectiveWeights). */
    weight: number,
    identity: WorkloadIdentity | null = null,
    hostname = '',
  ) {
    this.address = ep.address;
    this.hostname = hostname;
    this.port = ep.port;
    this.id = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    this.weight = weight;
    this.locality = ep.locality;
    this.priority = ep.priority;
    this.health = ep.health;
    this.available = healthyStatus(ep.health);
    this.dispatcher = createDispatcher(this.id, ep.address, ep.port, pool, identity);
  }

  /** Re-derives availability from health status and ejection. */
  refresh(): void {
    this.available = healthyStatus(this.health) && !this.ejected;
  }

  close(): Promise<void> {
    return this.dispatcher.close().catch(() => undefined);
  }

  destroy(): void {
    void this.dispatcher.destroy().catch(() => undefined);
  }
}

/**
 * undici is loaded only when a cluster needs it (mTLS or HTTP/2): plaintext HTTP/1.1 runs on H1Pool,
 * and a proxy that never originates mTLS or HTTP/2 does not pay undici's memory (≈ 8 MB RSS).
 */
let undici: typeof Undici | null = null;
function loadUndici(): typeof Undici {
  undici ??= require('undici') as typeof Undici;
  return undici;
}

function healthyStatus(h: HealthStatus): boolean {
  return h === 'HEALTHY' || h === 'UNKNOWN' || h === 'DEGRADED';
}

function createDispatcher(id: string, address: string, port: number, o: HostPoolOptions, identity: WorkloadIdentity | null): UpstreamDispatcher {
  if (o.tls !== null) return createTlsDispatcher(id, o, o.tls, identity);
  if (o.protocol === 'http1') {
    return new H1Pool({
      host: address,
      port,
      connectTimeoutMs: o.connectTimeoutMs,
      maxConnections: o.maxConnections,
      keepAliveTimeoutMs: o.idleTimeoutMs ?? 60_000,
      maxRequestsPerConnection: o.maxRequestsPerConnection,
    });
  }
  const origin = `http://${id}`;
  const common = {
    connect: { timeout: o.connectTimeoutMs },
    keepAliveTimeout: o.idleTimeoutMs ?? 60_000,
    keepAliveMaxTimeout: o.idleTimeoutMs ?? 600_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    strictContentLength: true,
  };
  return new (loadUndici().H2CClient)(origin, { ...common, maxConcurrentStreams: 1000 }) as unknown as UpstreamDispatcher;
}

/**
 * TLS (mesh mTLS or DestinationRule SIMPLE/MUTUAL): the same pools over TLS connections made by the
 * cluster's connector (HTTP/2 negotiated by ALPN).
 */
function createTlsDispatcher(id: string, o: HostPoolOptions, tls: UpstreamTlsModel, identity: WorkloadIdentity | null): UpstreamDispatcher {
  const origin = `https://${id}`;
  const alpn = o.protocol === 'http2' ? ['h2'] : ['http/1.1'];
  const connect = upstreamTlsConnector(identity, tls, alpn, o.connectTimeoutMs);
  const common = {
    connect,
    keepAliveTimeout: o.idleTimeoutMs ?? 60_000,
    keepAliveMaxTimeout: o.idleTimeoutMs ?? 600_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    strictContentLength: true,
  };
  const { Client, Pool } = loadUndici();
  const pool =
    o.protocol === 'http2'
      ? new Client(origin, { ...common, allowH2: true, maxConcurrentStreams: 1000, pipelining: 100 })
      : new Pool(origin, { ...common, connections: o.maxConnections, pipelining: 1, maxRequestsPerClient: o.maxRequestsPerConnection ?? undefined });
  return pool as unknown as UpstreamDispatcher;
}
