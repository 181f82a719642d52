import type { DestinationRef, Reporter, SourceRef } from '@weft/api';

/**
 * The identity of an edge in the time windows: who reported it, the calling workload and the called
 * service. Finer labels (codes, flags, destination workload) live only in the Prometheus totals.
 */
export interface WindowEdgeKey {
  readonly reporter: Reporter;
  readonly sourceNamespace: string;
  readonly sourceWorkload: string;
  readonly destinationNamespace: string;
  readonly destinationService: string;
}

/** Counters kept per edge and bucket. */
export const EDGE_COUNTERS = ['req', 'fail', 'reqB', 'respB', 'mtls', 'tcpO', 'tcpC', 'tcpS', 'tcpR'] as const;
export type EdgeCounter = (typeof EDGE_COUNTERS)[number];

export function windowEdgeId(reporter: Reporter, s: SourceRef, d: DestinationRef): string {
  return JSON.stringify([reporter, s.namespace, s.workload, d.namespace, d.service]);
}

export function parseWindowEdgeId(id: string): WindowEdgeKey | null {
  try {
    const [reporter, sourceNamespace, sourceWorkload, destinationNamespace, destinationService] = JSON.parse(id) as string[];
    if (reporter !== 'source' && reporter !== 'destination') return null;
    if (sourceNamespace === undefined || sourceWorkload === undefined || destinationNamespace === undefined || destinationService === undefined) return null;
    return { reporter, sourceNamespace, sourceWorkload, destinationNamespace, destinationService };
  } catch {
    return null;
  }
}

/** The pair an edge connects, without the reporter (both proxies of a call report the same pair). */
export function pairId(k: WindowEdgeKey): string {
  return JSON.stringify([k.sourceNamespace, k.sourceWorkload, k.destinationNamespace, k.destinationService]);
}

/** gRPC statuses that are server failures (Linkerd's classification): UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
const GRPC_FAILURES = new Set([2, 4, 13, 14, 15]);

/** A failed request: no response (0), a 5xx, or a gRPC server-failure status. */
export function isFailure(responseCode: number, grpcStatus: number | null): boolean {
  if (responseCode === 0 || responseCode >= 500) return true;
  return grpcStatus !== null && GRPC_FAILURES.has(grpcStatus);
}
