import type { ReportEdge, RequestRecord } from '@weft/api';

/** The labels of one edge (a → b-v1, 200, plaintext), shared by a request and its folded edge in the ingest specs. */
export const SAMPLE_LABELS = {
  reporter: 'destination',
  source: { workload: 'a', namespace: 'ns', principal: null },
  destination: { service: 'b', workload: 'b-v1', namespace: 'ns', principal: null },
  protocol: 'http',
  responseCode: 200,
  grpcStatus: null,
  responseFlags: '-',
  connectionSecurityPolicy: 'none',
} as const satisfies Partial<RequestRecord> & Partial<ReportEdge>;

/** One request as a proxy folds it, for the ingest specs. */
export const SAMPLE_RECORD: RequestRecord = { ...SAMPLE_LABELS, requestBytes: 1, responseBytes: 2, durationMs: 3 };
