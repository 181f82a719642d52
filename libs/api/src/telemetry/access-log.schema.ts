import { z } from 'zod';
import { destinationRef, sourceRef } from './telemetry-report.schema';

/** One sampled access-log record, as published in arrays on `weft.telemetry.logs`. */
export const accessLogRecord = z.object({
  /** Epoch milliseconds when the request started. */
  time: z.number().int().nonnegative(),
  traceId: z.string().max(64).nullable(),
  requestId: z.string().max(128).nullable(),
  source: sourceRef,
  destination: destinationRef,
  method: z.string().max(32),
  path: z.string().max(4096),
  /** HTTP status; 0 when no response. */
  status: z.number().int().min(0).max(999),
  /** Envoy response flags, `-` for none. */
  flags: z.string().max(64),
  durationMs: z.number().nonnegative(),
});
export type AccessLogRecord = z.output<typeof accessLogRecord>;

export const accessLogBatch = z.array(accessLogRecord).max(10_000);
