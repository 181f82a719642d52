import type { Histogram } from 'hdr-histogram-js';
import { decodeLatency, type ReportEdge, type ReportTcpEdge, type TelemetryReport } from '@weft/api';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { istioBucketCounts, requestSeriesKey, tcpSeriesKey } from '../metrics/istio-labels';
import { bucketOf, isStorable } from '../windows/buckets';
import { isFailure, windowEdgeId } from '../windows/edge-key';
import type { BucketHistograms } from './bucket-histograms';
import type { IngestBatch } from './ingest-batch';

export interface FoldResult {
  readonly records: number;
  /** False when the report's interval is outside the kept windows (counted in the totals only). */
  readonly inWindow: boolean;
}

/** Decodes every edge's histogram first, so a bad one rejects the whole report before anything is folded. */
function decodeAll(edges: readonly ReportEdge[]): Histogram[] {
  return edges.map((e, i) => {
    let h: Histogram;
    try {
      h = decodeLatency(e.latency);
    } catch (cause) {
      throw telemetryError(TELEMETRY_ERRORS.badHistogram, 'invalid-argument', `edges.${i}.latency: not an HDR histogram`, { cause });
    }
    if (h.totalCount !== e.requests) {
      throw telemetryError(TELEMETRY_ERRORS.badHistogram, 'invalid-argument', `edges.${i}.latency: ${h.totalCount} values for ${e.requests} requests`);
    }
    return h;
  });
}

/**
 * Folds validated reports into an {@link IngestBatch} (window counters per bucket and edge, Prometheus
 * totals per Istio series, loss accounting) and the replica's {@link BucketHistograms}. Pure memory:
 * no I/O per report.
 */
export class ReportFolder {
  constructor(
    private readonly keys: TelemetryKeys,
    private readonly domain: string,
    private readonly hists: BucketHistograms,
  ) {}

  fold(report: TelemetryReport, batch: IngestBatch, nowMs: number): FoldResult {
    const decoded = decodeAll(report.edges);
    const inWindow = isStorable(report.intervalEnd, nowMs);
    const bucket = bucketOf(Math.max(report.intervalStart, report.intervalEnd - 1));
    const windowKey = inWindow ? this.keys.bucketCounters(bucket) : null;
    if (windowKey !== null) batch.expiring.add(windowKey);
    let records = 0;
    for (let i = 0; i < report.edges.length; i++) {
      const e = report.edges[i] as ReportEdge;
      const h = decoded[i] as Histogram;
      records += e.requests;
      if (windowKey !== null) this.foldWindowEdge(batch, windowKey, bucket, e, h);
      this.foldTotals(batch, e, h);
    }
    for (const t of report.tcp) this.foldTcp(batch, windowKey, t);
    this.foldMesh(batch, report, records);
    return { records, inWindow };
  }

  private foldWindowEdge(batch: IngestBatch, key: string, bucket: number, e: ReportEdge, h: Histogram): void {
    const id = windowEdgeId(e.reporter, e.source, e.destination);
    batch.add(key, `req\n${id}`, e.requests);
    if (isFailure(e.responseCode, e.grpcStatus)) batch.add(key, `fail\n${id}`, e.requests);
    batch.add(key, `reqB\n${id}`, e.requestBytes);
    batch.add(key, `respB\n${id}`, e.responseBytes);
    if (e.connectionSecurityPolicy === 'mutual_tls') batch.add(key, `mtls\n${id}`, e.requests);
    this.hists.add(bucket, id, h);
  }

  private foldTotals(batch: IngestBatch, e: ReportEdge, h: Histogram): void {
    const series = requestSeriesKey(e, this.domain);
    batch.add(this.keys.totals('req'), series, e.requests);
    batch.add(this.keys.totals('reqb'), series, e.requestBytes);
    batch.add(this.keys.totals('respb'), series, e.responseBytes);
    const dur = this.keys.totals('dur');
    const counts = istioBucketCounts(h);
    for (let i = 0; i < counts.length; i++) batch.add(dur, `${i}\n${series}`, counts[i] as number);
    batch.add(dur, `sum\n${series}`, Math.round(h.mean * h.totalCount * 1000));
  }

  private foldTcp(batch: IngestBatch, windowKey: string | null, t: ReportTcpEdge): void {
    if (windowKey !== null) {
      const id = windowEdgeId(t.reporter, t.source, t.destination);
      batch.add(windowKey, `tcpO\n${id}`, t.connectionsOpened);
      batch.add(windowKey, `tcpC\n${id}`, t.connectionsClosed);
      batch.add(windowKey, `tcpS\n${id}`, t.sentBytes);
      batch.add(windowKey, `tcpR\n${id}`, t.receivedBytes);
    }
    const series = tcpSeriesKey(t, this.domain);
    const key = this.keys.totals('tcp');
    batch.add(key, `sent\n${series}`, t.sentBytes);
    batch.add(key, `received\n${series}`, t.receivedBytes);
    batch.add(key, `opened\n${series}`, t.connectionsOpened);
    batch.add(key, `closed\n${series}`, t.connectionsClosed);
  }

  private foldMesh(batch: IngestBatch, report: TelemetryReport, records: number): void {
    const mesh = this.keys.mesh();
    batch.add(mesh, 'reports', 1);
    batch.add(mesh, 'records', records);
    batch.add(mesh, 'dropped.records', report.dropped.records);
    batch.add(mesh, 'dropped.spans', report.dropped.spans);
    batch.add(mesh, 'dropped.logs', report.dropped.logs);
    if (report.boot !== undefined && report.seq !== undefined) batch.noteSeq(`${report.proxy.id}\n${report.boot}`, report.seq);
    batch.reports++;
    batch.records += records;
  }
}
