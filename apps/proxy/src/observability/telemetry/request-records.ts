import type { AccessLogRecord, DestinationRef, SourceRef, ZipkinSpan } from '@weft/api';
import type { RequestContext } from '../../listener/request-context';
import type { SpanIds } from '../../router/trace-headers';
import type { ProxyIdentity } from './edge-refs';

/** A finished request as the telemetry records see it (built once in onRequestDone). */
export interface Finished {
  readonly ctx: RequestContext;
  readonly status: number;
  readonly flags: string;
  readonly durationMs: number;
  readonly source: SourceRef;
  readonly destination: DestinationRef;
}

/** Epoch milliseconds of a performance.now() reading. */
export function epochMs(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** The access-log record of the telemetry contract (`weft.telemetry.logs`). */
export function accessLogRecordOf(f: Finished): AccessLogRecord {
  const ctx = f.ctx;
  return {
    time: Math.floor(epochMs(ctx.startMs)),
    traceId: ctx.traceId === '' ? null : ctx.traceId,
    requestId: ctx.requestId === '' ? null : ctx.requestId.slice(0, 128),
    source: f.source,
    destination: f.destination,
    method: ctx.method.slice(0, 32),
    path: ctx.path.slice(0, 4096),
    status: f.status,
    flags: f.flags.slice(0, 64),
    durationMs: Math.round(f.durationMs * 1000) / 1000,
  };
}

/** Zipkin's service name of a workload, as Istio's: `<service>.<namespace>`. */
function zipkinName(service: string, namespace: string): string {
  return `${service}.${namespace}`;
}

/**
 * The Zipkin v2 span of a sampled request: SERVER on an inbound listener, CLIENT on an outbound one;
 * the id is the span id this proxy put in the traceparent it forwarded, the parent the caller's.
 */
export function spanOf(f: Finished, ids: SpanIds, self: ProxyIdentity): ZipkinSpan {
  const ctx = f.ctx;
  const remote = ctx.inbound ? zipkinName(f.source.workload, f.source.namespace) : zipkinName(f.destination.service, f.destination.namespace);
  const tags: Record<string, string> = {
    component: 'proxy',
    'http.method': ctx.method,
    'http.url': `${ctx.scheme}://${ctx.authority}${ctx.path}`.slice(0, 2048),
    'http.protocol': ctx.protocol,
    'http.status_code': String(f.status),
    response_flags: f.flags,
    'upstream_cluster': ctx.upstreamCluster ?? '-',
    'node_id': self.id,
    'istio.canonical_service': self.service,
    'istio.namespace': self.namespace,
  };
  if (ctx.requestId !== '') tags['guid:x-request-id'] = ctx.requestId;
  if (ctx.upstreamHost !== null) tags['upstream_host'] = ctx.upstreamHost;
  if (f.status === 0 || f.status >= 500) tags['error'] = 'true';
  const span: ZipkinSpan = {
    traceId: ids.traceId,
    id: ids.spanId,
    name: `${ctx.authority}${pathOnly(ctx.path)}`.slice(0, 1024),
    kind: ctx.inbound ? 'SERVER' : 'CLIENT',
    timestamp: Math.round(epochMs(ctx.startMs) * 1000),
    duration: Math.max(1, Math.round(f.durationMs * 1000)),
    localEndpoint: { serviceName: zipkinName(self.service, self.namespace) },
    remoteEndpoint: { serviceName: remote },
    tags,
  };
  if (ids.parentId !== null) span.parentId = ids.parentId;
  return span;
}
