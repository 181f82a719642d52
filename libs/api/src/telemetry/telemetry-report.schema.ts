import { z } from 'zod';

/**
 * The report contract (version 1): what a proxy publishes on `weft.telemetry.reports` once per interval
 * (about 1 s): its request records pre-aggregated per edge, with an HDR latency histogram per edge.
 */

const name = z.string().min(1).max(253);
const count = z.number().int().nonnegative();

/** The calling side of an edge. */
export const sourceRef = z.object({
  workload: name,
  namespace: name,
  /** SPIFFE id of the peer when mTLS identified it, else null. */
  principal: z.string().max(512).nullable(),
});
export type SourceRef = z.output<typeof sourceRef>;

/** The called side of an edge. */
export const destinationRef = z.object({
  /** Service name (short name, e.g. `reviews`). */
  service: name,
  /** The workload that answered, when known (inbound side), else null. */
  workload: name.nullable(),
  namespace: name,
  principal: z.string().max(512).nullable(),
});
export type DestinationRef = z.output<typeof destinationRef>;

export const REQUEST_PROTOCOLS = ['http', 'grpc', 'tcp'] as const;
export type RequestProtocol = (typeof REQUEST_PROTOCOLS)[number];
export const SECURITY_POLICIES = ['mutual_tls', 'none'] as const;
export type SecurityPolicy = (typeof SECURITY_POLICIES)[number];
/** Which proxy saw the request: the caller's (`source`, outbound) or the callee's (`destination`, inbound). */
export const REPORTERS = ['source', 'destination'] as const;
export type Reporter = (typeof REPORTERS)[number];

/** Requests of one interval sharing every label below. */
export const reportEdge = z.object({
  reporter: z.enum(REPORTERS).default('destination'),
  source: sourceRef,
  destination: destinationRef,
  protocol: z.enum(REQUEST_PROTOCOLS),
  /** HTTP status; 0 when no response was received (connection failure, timeout before headers). */
  responseCode: z.number().int().min(0).max(999),
  grpcStatus: z.number().int().min(0).max(16).nullable(),
  /** Envoy response flags (`UF`, `UO`, `NR`, `URX`, …; `-` for none). */
  responseFlags: z.string().min(1).max(64),
  /** Number of request records folded into this edge (≥ 1). */
  requests: z.number().int().positive(),
  requestBytes: count,
  responseBytes: count,
  connectionSecurityPolicy: z.enum(SECURITY_POLICIES),
  /**
   * Latency in whole milliseconds (rounded up), an HDR histogram as a value list `ms:4*2,12,40*3`
   * (values strictly ascending, `*count` omitted for 1) or `encodeIntoCompressedBase64` (older proxies):
   * see latency-histogram.ts. The count of values must equal `requests`.
   */
  latency: z.string().min(1).max(262_144),
});
export type ReportEdge = z.output<typeof reportEdge>;
export type ReportEdgeInput = z.input<typeof reportEdge>;

/** TCP connections of one interval between a source and a destination. */
export const reportTcpEdge = z.object({
  reporter: z.enum(REPORTERS).default('destination'),
  source: sourceRef,
  destination: destinationRef,
  connectionSecurityPolicy: z.enum(SECURITY_POLICIES).default('none'),
  connectionsOpened: count,
  connectionsClosed: count,
  sentBytes: count,
  receivedBytes: count,
});
export type ReportTcpEdge = z.output<typeof reportTcpEdge>;

/** What the proxy itself dropped in the interval (bounded buffers full, NATS away). */
export const droppedCounts = z.object({ records: count, spans: count, logs: count });
export type DroppedCounts = z.output<typeof droppedCounts>;

export const telemetryReport = z.object({
  v: z.literal(1),
  proxy: z.object({ id: name, workload: name, namespace: name }),
  /**
   * Loss accounting (optional but recommended): a random id per proxy process and the report's number
   * since that process started (0, 1, 2, …). Telemetry reports gaps as missing reports.
   */
  boot: z.string().min(1).max(64).optional(),
  seq: count.optional(),
  /** Epoch milliseconds. */
  intervalStart: count,
  intervalEnd: count,
  edges: z.array(reportEdge).max(10_000),
  tcp: z.array(reportTcpEdge).max(10_000).default([]),
  dropped: droppedCounts.default({ records: 0, spans: 0, logs: 0 }),
});
export type TelemetryReport = z.output<typeof telemetryReport>;
export type TelemetryReportInput = z.input<typeof telemetryReport>;
