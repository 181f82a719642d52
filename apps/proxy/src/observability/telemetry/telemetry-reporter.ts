import {
  EdgeAccumulator,
  tapActiveSubject,
  telemetryLogsSubject,
  telemetryReportsSubject,
  telemetrySpansSubject,
  type AccessLogRecord,
  type DroppedCounts,
  type ZipkinSpan,
} from '@weft/api';
import type { Logger } from '@weft/shared';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RequestContext } from '../../listener/request-context';
import { takeSpanIds } from '../../router/trace-headers';
import { PEER_HEADER } from '../peer-metadata';
import { EdgeRefs, type ProxyIdentity } from './edge-refs';
import { accessLogRecordOf, spanOf, type Finished } from './request-records';
import { TapResponder } from './tap-responder';
import { TelemetryLink } from './telemetry-link';

export interface TelemetryOptions {
  readonly natsUrl: string;
  readonly subjectPrefix: string;
  readonly intervalMs: number;
  /** Percentage of new traces sampled (an incoming decision is honoured). */
  readonly traceSamplingPercent: number;
  /** Percentage of successful requests whose access log is sent; errors and flagged ones always are. */
  readonly logSamplingPercent: number;
  readonly identity: ProxyIdentity;
  /** Spans and access-log records held between two publications (more are dropped and counted). */
  readonly maxSpans?: number;
  readonly maxLogs?: number;
  readonly maxEdges?: number;
}

/** Spans or records per NATS message. */
const BATCH = 500;

/**
 * Reports what the proxy saw to telemetry over NATS: each finished request is folded into the
 * interval's {@link EdgeAccumulator} (a map lookup and a histogram update), sampled requests add a
 * Zipkin span, sampled/failed ones an access-log record, matching ones go to live taps. Every
 * interval one report (boot + seq) and the span and log batches are published.
 *
 * Never in the way of traffic: while NATS is away nothing is published and nothing waits — the
 * accumulator keeps folding (bounded by `maxEdges`, further edges dropped and counted), spans and
 * logs stay in bounded buffers (further ones dropped and counted); the next report after NATS returns
 * carries the whole period and the drop counts (`dropped`), also `weft_proxy_telemetry_dropped_total`.
 */
export class TelemetryReporter {
  private readonly acc: EdgeAccumulator;
  private readonly refs: EdgeRefs;
  private readonly link: TelemetryLink;
  private readonly tap: TapResponder;
  private spans: ZipkinSpan[] = [];
  private logs: AccessLogRecord[] = [];
  private readonly maxSpans: number;
  private readonly maxLogs: number;
  private readonly timer: NodeJS.Timeout;
  private readonly dropped: Counter<'kind'>;
  private readonly published: Counter<'kind'>;
  private readonly subjects: { reports: string; spans: string; logs: string };

  constructor(
    private readonly o: TelemetryOptions,
    registry: Registry,
    private readonly log: Logger,
    ownPrincipal: () => string | null,
  ) {
    const id = o.identity;
    this.acc = new EdgeAccumulator({ proxy: { id: id.id, workload: id.workload, namespace: id.namespace }, maxEdges: o.maxEdges });
    this.refs = new EdgeRefs(id, ownPrincipal);
    this.maxSpans = o.maxSpans ?? 5000;
    this.maxLogs = o.maxLogs ?? 5000;
    this.subjects = { reports: telemetryReportsSubject(o.subjectPrefix), spans: telemetrySpansSubject(o.subjectPrefix), logs: telemetryLogsSubject(o.subjectPrefix) };
    this.dropped = new Counter({ name: 'weft_proxy_telemetry_dropped_total', help: 'Telemetry the proxy dropped (buffers full, NATS away), by kind', labelNames: ['kind'], registers: [registry] });
    this.published = new Counter({ name: 'weft_proxy_telemetry_published_total', help: 'Telemetry messages published to NATS, by kind', labelNames: ['kind'], registers: [registry] });
    const connected = new Gauge({ name: 'weft_proxy_telemetry_connected', help: '1 while the telemetry NATS connection is up', registers: [registry] });
    this.link = new TelemetryLink(o.natsUrl, `weft-proxy ${id.id}`, log, (up) => connected.set(up ? 1 : 0));
    this.tap = new TapResponder({ id: id.id, workload: id.workload, namespace: id.namespace }, o.subjectPrefix, this.link, (n) => this.dropped.inc({ kind: 'tap' }, n));
    this.link.subscribe(tapActiveSubject(o.subjectPrefix), (data) => this.tap.onRequest(data));
    this.timer = setInterval(() => this.tick(), o.intervalMs);
    this.timer.unref();
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /** One finished HTTP request (from Proxy.onRequestDone). */
  onRequest(ctx: RequestContext, status: number, durationMs: number, mtls: boolean, peerPrincipal: string | null): void {
    const flags = ctx.flags === '' ? '-' : ctx.flags;
    const inbound = ctx.inbound;
    const f: Finished = {
      ctx,
      status,
      flags,
      durationMs,
      source: inbound ? this.refs.inboundSource(ctx.headers[PEER_HEADER], mtls ? peerPrincipal : null) : this.refs.outboundSource(mtls),
      destination: inbound ? this.refs.inboundDestination(mtls) : this.refs.outboundDestination(ctx.upstreamCluster, ctx.authority, mtls ? peerPrincipal : null, ctx.upstreamPeer),
    };
    const added = this.acc.add({
      reporter: inbound ? 'destination' : 'source',
      source: f.source,
      destination: f.destination,
      protocol: ctx.grpc ? 'grpc' : 'http',
      responseCode: status,
      grpcStatus: grpcStatusOf(ctx.grpcStatus),
      responseFlags: flags,
      requestBytes: ctx.bytesReceived,
      responseBytes: ctx.bytesSent,
      connectionSecurityPolicy: mtls ? 'mutual_tls' : 'none',
      durationMs,
    });
    if (!added) this.dropped.inc({ kind: 'records' });
    if (ctx.traceId !== '') this.addSpan(f);
    this.addLogs(f);
  }

  private addSpan(f: Finished): void {
    const ids = takeSpanIds(f.ctx.headers);
    if (ids === null) return;
    if (this.spans.length >= this.maxSpans) return this.drop('spans');
    this.spans.push(spanOf(f, ids, this.o.identity));
  }

  private addLogs(f: Finished): void {
    const always = f.status === 0 || f.status >= 400 || f.flags !== '-';
    const logIt = always || (this.o.logSamplingPercent > 0 && Math.random() * 100 < this.o.logSamplingPercent);
    if (!logIt && this.tap.active === 0) return;
    const record = accessLogRecordOf(f);
    if (this.tap.active > 0) this.tap.offer(record, f.ctx.inbound ? 'destination' : 'source', f.ctx.authority);
    if (!logIt) return;
    if (this.logs.length >= this.maxLogs) return this.drop('logs');
    this.logs.push(record);
  }

  /** TCP activity of one connection (opened, or closed with its byte counts). */
  onTcp(cluster: string, inbound: boolean, opened: boolean, sentBytes: number, receivedBytes: number): void {
    const added = this.acc.addTcp({
      reporter: inbound ? 'destination' : 'source',
      source: inbound ? this.refs.inboundSource(undefined, null) : this.refs.outboundSource(false),
      destination: inbound ? this.refs.inboundDestination(false) : this.refs.outboundDestination(cluster, cluster, null),
      connectionSecurityPolicy: 'none',
      opened,
      closed: !opened,
      sentBytes,
      receivedBytes,
    });
    if (!added) this.dropped.inc({ kind: 'records' });
  }

  private drop(kind: keyof DroppedCounts): void {
    this.acc.countDropped(kind);
    this.dropped.inc({ kind });
  }

  /** Publishes the interval's report, spans and logs; holds everything while NATS is away. */
  tick(): void {
    if (!this.link.connected) return;
    const report = this.acc.flush();
    if (!this.link.publish(this.subjects.reports, JSON.stringify(report))) {
      // Lost with its seq (telemetry shows it missing); its records are counted in the next report.
      const lost = report.edges.reduce((n, e) => n + e.requests, 0);
      this.acc.countDropped('records', lost + report.dropped.records);
      this.acc.countDropped('spans', report.dropped.spans);
      this.acc.countDropped('logs', report.dropped.logs);
      this.dropped.inc({ kind: 'records' }, lost);
      this.log.debug({ seq: report.seq, records: lost }, 'telemetry report not published');
      return;
    }
    this.published.inc({ kind: 'reports' });
    this.spans = this.publishBatches(this.subjects.spans, this.spans, 'spans');
    this.logs = this.publishBatches(this.subjects.logs, this.logs, 'logs');
  }

  private publishBatches<T>(subject: string, items: T[], kind: 'spans' | 'logs'): T[] {
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      if (this.link.publish(subject, JSON.stringify(batch))) this.published.inc({ kind });
      else {
        const lost = items.length - i;
        this.acc.countDropped(kind, lost);
        this.dropped.inc({ kind }, lost);
        break;
      }
    }
    return [];
  }

  /** The last report (so a clean stop loses nothing), then the connection drains. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.tap.close();
    this.tick();
    await this.link.close();
  }
}

function grpcStatusOf(s: string): number | null {
  if (s === '') return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n <= 16 ? n : null;
}
