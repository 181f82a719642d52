import { z } from 'zod';
import { accessLogRecord } from './access-log.schema';

/**
 * Live tap (Linkerd's `tap`): demand-driven, so proxies publish every matching request only while
 * somebody watches.
 *
 * 1. A telemetry replica serving a tap client publishes a {@link TapRequest} on
 *    `weft.telemetry.tap.active` when the tap starts and again every {@link TAP_HEARTBEAT_MS} while
 *    the client stays connected (plain NATS publish, no queue group: every proxy hears it).
 * 2. A proxy keeps the taps it heard; a tap with no heartbeat for {@link TAP_EXPIRY_MS}, or past its
 *    `expiresAt`, is forgotten. For each finished request whose source workload or destination
 *    service matches (`namespace` too when given), the proxy adds the record to a per-tap buffer and
 *    publishes it at least every 100 ms as a {@link TapBatch} on `weft.telemetry.tap.records.<tapId>`.
 * 3. Per proxy and tap at most {@link TAP_MAX_RECORDS_PER_S} records a second are sent; the excess is
 *    counted in the batch's `dropped` (never silent). Taps never slow traffic: buffers are bounded.
 */
export const TAP_ACTIVE_SUBJECT = 'weft.telemetry.tap.active';
export const TAP_RECORDS_SUBJECT = 'weft.telemetry.tap.records';
export const TAP_HEARTBEAT_MS = 2_000;
export const TAP_EXPIRY_MS = 6_000;
export const TAP_MAX_RECORDS_PER_S = 200;

export const tapRequest = z.object({
  v: z.literal(1),
  /** Random id (letters, digits, `-`), also the last token of the records subject. */
  tapId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  /** Match on the destination service or the source workload (either side of the request). */
  service: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253).nullable().default(null),
  /** Epoch ms after which proxies stop even without a stop signal. */
  expiresAt: z.number().int().nonnegative(),
});
export type TapRequest = z.output<typeof tapRequest>;
export type TapRequestInput = z.input<typeof tapRequest>;

export const tapBatch = z.object({
  v: z.literal(1),
  tapId: z.string(),
  proxy: z.object({ id: z.string(), workload: z.string(), namespace: z.string() }),
  /** Records in the order they finished; `reporter` says which side's proxy saw it. */
  records: z.array(accessLogRecord.extend({ reporter: z.enum(['source', 'destination']), authority: z.string().max(1024) })).max(1_000),
  /** Records this proxy skipped for this tap since its last batch (rate limit or full buffer). */
  dropped: z.number().int().nonnegative(),
});
export type TapBatch = z.output<typeof tapBatch>;
export type TapRecord = TapBatch['records'][number];

export function tapActiveSubject(prefix = ''): string {
  return `${prefix}${TAP_ACTIVE_SUBJECT}`;
}

export function tapRecordsSubject(tapId: string, prefix = ''): string {
  return `${prefix}${TAP_RECORDS_SUBJECT}.${tapId}`;
}
