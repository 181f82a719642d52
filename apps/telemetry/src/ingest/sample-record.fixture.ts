import type { RequestRecord } from '@weft/api';

/** One request as a proxy folds it (a → b-v1, 200, plaintext) for the ingest specs. */
export const SAMPLE_RECORD: RequestRecord = {
  reporter: 'destination',
  source: { workload: 'a', namespace: 'ns', principal: null },
  destination: { service: 'b', workload: 'b-v1', namespace: 'ns', principal: null },
  protocol: 'http',
  responseCode: 200,
  grpcStatus: null,
  responseFlags: '-',
  requestBytes: 1,
  responseBytes: 2,
  connectionSecurityPolicy: 'none',
  durationMs: 3,
};
