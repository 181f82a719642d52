import type { ReportEdge, ReportTcpEdge, TelemetryReport } from '@weft/api';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { tcpSeriesKey } from '../metrics/istio-labels';
import { bucketOf, isStorable } from '../windows/buckets';
import { EDGE_COUNTERS, isFailure, windowEdgeId, type EdgeCounter } from '../windows/edge-key';
import type { BucketHistograms } from './bucket-histograms';
import { EdgeKeyCache, type EdgeKeys } from './edge-keys';
import { SERIES, type IngestBatch } from './ingest-batch';
import { addIstioBucketsOfValues, appendLatencyValues } from './latency-values';
import { SeriesGuard } from './series-guard';

/** Index of each window counter in an edge's slots. */
const C = Object.fromEntries(EDGE_COUNTERS.map((c, i) => [c, i])) as Record<EdgeCounter, number>;

export interface FoldResult {
  readonly records: number;
  /** False when the report's interval is outside the kept windows (counted in the totals only). */
  readonly inWindow: boolean;
}

/**
 * Decodes every edge's latency into `values` ((value, count) pairs; edge i's are
 * `values[ends[i-1]..ends[i])`) before anything is folded, so a bad one rejects the whole report.
 */
function decodeAll(edges: readonly ReportEdge[], values: number[], ends: number[]): void {
  values.length = 0;
  ends.length = 0;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as ReportEdge;
    let n: number;
    try {
      n = appendLatencyValues(e.latency, values);
    } catch (cause) {
      const why = (cause as Error).message;
      throw telemetryError(TELEMETRY_ERRORS.badHistogram, 'invalid-argument', `edges.${i}.latency: not an HDR histogram (${why})`, { cause });
    }
    if (n !== e.requests) {
      throw telemetryError(TELEMETRY_ERRORS.badHistogram, 'invalid-argument', `edges.${i}.latency: ${n} values for ${e.requests} requests`);
    }
    ends.push(values.length);
  }
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
    private readonly guard: SeriesGuard = new SeriesGuard(Number.MAX_SAFE_INTEGER),
  ) {
    this.edgeKeys = new EdgeKeyCache(domain);
  }

  private readonly edgeKeys: EdgeKeyCache;
  /** The current report's latency pairs and per-edge ends (reused: no arrays per edge). */
  private readonly values: number[] = [];
  private readonly ends: number[] = [];

  fold(report: TelemetryReport, batch: IngestBatch, nowMs: number): FoldResult {
    decodeAll(report.edges, this.values, this.ends);
    const inWindow = isStorable(report.intervalEnd, nowMs);
    const bucket = bucketOf(Math.max(report.intervalStart, report.intervalEnd - 1));
    const windowKey = inWindow ? this.keys.bucketCounters(bucket) : null;
    let records = 0;
    for (let i = 0, from = 0; i < report.edges.length; i++) {
      const e = report.edges[i] as ReportEdge;
      const to = this.ends[i] as number;
      const keys = this.edgeKeys.get(e);
      records += e.requests;
      if (windowKey !== null) this.foldWindowEdge(batch, windowKey, bucket, e, keys.windowId, from, to);
      this.foldTotals(batch, e, keys, from, to);
      from = to;
    }
    for (const t of report.tcp) this.foldTcp(batch, windowKey, t);
    this.foldMesh(batch, report, records);
    return { records, inWindow };
  }

  private foldWindowEdge(batch: IngestBatch, key: string, bucket: number, e: ReportEdge, id: string, from: number, to: number): void {
    const c = batch.windowEdge(key, id);
    c[C.req] += e.requests;
    if (isFailure(e.responseCode, e.grpcStatus)) c[C.fail] += e.requests;
    c[C.reqB] += e.requestBytes;
    c[C.respB] += e.responseBytes;
    if (e.connectionSecurityPolicy === 'mutual_tls') c[C.mtls] += e.requests;
    this.hists.add(bucket, id, this.values, from, to);
  }

  private foldTotals(batch: IngestBatch, e: ReportEdge, keys: EdgeKeys, from: number, to: number): void {
    const key = keys.seriesKey;
    if (!this.guard.allow(key)) {
      batch.refusedSeries += e.requests;
      return;
    }
    const s = batch.requestSeries(key);
    s[SERIES.req] += e.requests;
    s[SERIES.reqB] += e.requestBytes;
    s[SERIES.respB] += e.responseBytes;
    s[SERIES.sumUs] += Math.round(addIstioBucketsOfValues(this.values, from, to, s, SERIES.bucket0) * 1000);
  }

  private foldTcp(batch: IngestBatch, windowKey: string | null, t: ReportTcpEdge): void {
    if (windowKey !== null) {
      const c = batch.windowEdge(windowKey, windowEdgeId(t.reporter, t.source, t.destination));
      c[C.tcpO] += t.connectionsOpened;
      c[C.tcpC] += t.connectionsClosed;
      c[C.tcpS] += t.sentBytes;
      c[C.tcpR] += t.receivedBytes;
    }
    const s = batch.tcpSeries(tcpSeriesKey(t, this.domain));
    s[0] += t.sentBytes;
    s[1] += t.receivedBytes;
    s[2] += t.connectionsOpened;
    s[3] += t.connectionsClosed;
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
