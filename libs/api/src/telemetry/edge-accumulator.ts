import { randomBytes } from 'node:crypto';
import type { Histogram } from 'hdr-histogram-js';
import { encodeLatency, encodeLatencyList, latencyValue, newLatencyHistogram } from './latency-histogram';
import type {
  DestinationRef,
  DroppedCounts,
  ReportEdge,
  ReportTcpEdge,
  Reporter,
  RequestProtocol,
  SecurityPolicy,
  SourceRef,
  TelemetryReport,
} from './telemetry-report.schema';

/** One finished request, as the proxy's reporting sees it. */
export interface RequestRecord {
  readonly reporter: Reporter;
  readonly source: SourceRef;
  readonly destination: DestinationRef;
  readonly protocol: RequestProtocol;
  readonly responseCode: number;
  readonly grpcStatus: number | null;
  readonly responseFlags: string;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly connectionSecurityPolicy: SecurityPolicy;
  readonly durationMs: number;
}

/** TCP activity of one connection since the last call (opened/closed flags, byte deltas). */
export interface TcpRecord {
  readonly reporter: Reporter;
  readonly source: SourceRef;
  readonly destination: DestinationRef;
  readonly connectionSecurityPolicy: SecurityPolicy;
  readonly opened: boolean;
  readonly closed: boolean;
  readonly sentBytes: number;
  readonly receivedBytes: number;
}

export interface EdgeAccumulatorOptions {
  readonly proxy: { readonly id: string; readonly workload: string; readonly namespace: string };
  /** Distinct edges kept per interval; records of further edges are dropped and counted (default 2000). */
  readonly maxEdges?: number;
  readonly now?: () => number;
  /**
   * Wire form of the edges' latency histograms: `list` (default, `ms:4*2,12`: cheap to ingest) or
   * `compressed` (HDR V2 compressed base64, what proxies sent before; telemetry accepts both).
   */
  readonly latencyEncoding?: 'list' | 'compressed';
}

class EdgeState {
  requests = 0;
  requestBytes = 0;
  responseBytes = 0;
  readonly latency: Histogram;
  constructor(readonly record: RequestRecord) {
    this.latency = newLatencyHistogram();
  }
}

function refKey(s: SourceRef, d: DestinationRef): string {
  return `${s.namespace}\u001f${s.workload}\u001f${s.principal ?? ''}\u001f${d.namespace}\u001f${d.service}\u001f${d.workload ?? ''}\u001f${d.principal ?? ''}`;
}

function edgeKey(r: RequestRecord): string {
  return `${r.reporter}\u001f${refKey(r.source, r.destination)}\u001f${r.protocol}\u001f${r.responseCode}\u001f${r.grpcStatus ?? ''}\u001f${r.responseFlags}\u001f${r.connectionSecurityPolicy}`;
}

function edgeOf(s: EdgeState, encode: (h: Histogram) => string): ReportEdge {
  const r = s.record;
  return {
    reporter: r.reporter,
    source: r.source,
    destination: r.destination,
    protocol: r.protocol,
    responseCode: r.responseCode,
    grpcStatus: r.grpcStatus,
    responseFlags: r.responseFlags,
    requests: s.requests,
    requestBytes: s.requestBytes,
    responseBytes: s.responseBytes,
    connectionSecurityPolicy: r.connectionSecurityPolicy,
    latency: encode(s.latency),
  };
}

/**
 * The proxy side of the report contract: folds request records into per-edge counters and an HDR
 * latency histogram, TCP activity into per-connection-pair counters, and `flush()` turns one interval
 * into a {@link TelemetryReport} (then starts the next). Memory is bounded by `maxEdges`.
 */
export class EdgeAccumulator {
  private readonly proxy: EdgeAccumulatorOptions['proxy'];
  private readonly maxEdges: number;
  private readonly now: () => number;
  private readonly encode: (h: Histogram) => string;
  private readonly boot: string;
  private seq: number;
  private edges: Map<string, EdgeState>;
  private tcp: Map<string, ReportTcpEdge>;
  private dropped: DroppedCounts;
  private intervalStart: number;

  constructor(options: EdgeAccumulatorOptions) {
    this.proxy = { ...options.proxy };
    this.maxEdges = options.maxEdges ?? 2000;
    this.now = options.now ?? Date.now;
    this.encode = options.latencyEncoding === 'compressed' ? encodeLatency : encodeLatencyList;
    this.boot = randomBytes(8).toString('hex');
    this.seq = 0;
    this.edges = new Map();
    this.tcp = new Map();
    this.dropped = { records: 0, spans: 0, logs: 0 };
    this.intervalStart = this.now();
  }

  /** Folds one finished request into its edge; false when the record was dropped (too many edges). */
  add(record: RequestRecord): boolean {
    const key = edgeKey(record);
    let state = this.edges.get(key);
    if (state === undefined) {
      if (this.edges.size >= this.maxEdges) {
        this.dropped.records++;
        return false;
      }
      state = new EdgeState(record);
      this.edges.set(key, state);
    }
    state.requests++;
    state.requestBytes += record.requestBytes;
    state.responseBytes += record.responseBytes;
    state.latency.recordValue(latencyValue(record.durationMs));
    return true;
  }

  /** Folds TCP activity; false when dropped (too many pairs). */
  addTcp(r: TcpRecord): boolean {
    const key = `${r.reporter}\u001f${refKey(r.source, r.destination)}\u001f${r.connectionSecurityPolicy}`;
    let e = this.tcp.get(key);
    if (e === undefined) {
      if (this.tcp.size >= this.maxEdges) {
        this.dropped.records++;
        return false;
      }
      e = { reporter: r.reporter, source: r.source, destination: r.destination, connectionSecurityPolicy: r.connectionSecurityPolicy, connectionsOpened: 0, connectionsClosed: 0, sentBytes: 0, receivedBytes: 0 };
      this.tcp.set(key, e);
    }
    if (r.opened) e.connectionsOpened++;
    if (r.closed) e.connectionsClosed++;
    e.sentBytes += r.sentBytes;
    e.receivedBytes += r.receivedBytes;
    return true;
  }

  /** Counts what the reporter itself had to drop (e.g. a full span or log buffer). */
  countDropped(kind: keyof DroppedCounts, n = 1): void {
    this.dropped[kind] += n;
  }

  /** Records folded since the last flush. */
  get pendingRecords(): number {
    let n = 0;
    for (const s of this.edges.values()) n += s.requests;
    return n;
  }

  /** Ends the interval: the report of everything added since the last flush (possibly empty). */
  flush(): TelemetryReport {
    const end = this.now();
    const report: TelemetryReport = {
      v: 1,
      proxy: { ...this.proxy },
      boot: this.boot,
      seq: this.seq++,
      intervalStart: this.intervalStart,
      intervalEnd: end,
      edges: Array.from(this.edges.values(), (s) => edgeOf(s, this.encode)),
      tcp: Array.from(this.tcp.values()),
      dropped: this.dropped,
    };
    this.edges = new Map();
    this.tcp = new Map();
    this.dropped = { records: 0, spans: 0, logs: 0 };
    this.intervalStart = end;
    return report;
  }
}
