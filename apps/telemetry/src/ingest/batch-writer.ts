import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { BUCKET_TTL_SECONDS } from '../windows/buckets';
import type { HistogramWrite } from './bucket-histograms';
import type { IngestBatch } from './ingest-batch';

/** Loss-accounting keys outlive the proxies they describe by a day. */
const SEQ_TTL_SECONDS = 24 * 3600;

/**
 * Writes one flush — every counter increment, the changed histograms and the loss accounting — in ONE
 * MULTI/EXEC: a report is in Redis completely (counted and marked received) or not at all.
 */
export class BatchWriter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
  ) {}

  async write(batch: IngestBatch, hists: readonly HistogramWrite[]): Promise<void> {
    const m = this.redis.multi();
    for (const [key, fields] of batch.counters) {
      for (const [field, n] of fields) m.hincrby(key, field, n);
      if (batch.expiring.has(key)) m.expire(key, BUCKET_TTL_SECONDS);
    }
    const histKeys = new Set<string>();
    for (const w of hists) {
      const key = this.keys.bucketHistograms(w.bucket);
      m.hset(key, w.field, w.encoded);
      histKeys.add(key);
    }
    for (const key of histKeys) m.expire(key, BUCKET_TTL_SECONDS);
    for (const [id, s] of batch.seq) {
      m.hincrby(this.keys.seqReceived(), id, s.n);
      m.zadd(this.keys.seqMax(), 'GT', s.max, id);
    }
    if (batch.seq.size > 0) {
      m.expire(this.keys.seqReceived(), SEQ_TTL_SECONDS);
      m.expire(this.keys.seqMax(), SEQ_TTL_SECONDS);
    }
    const results = await m.exec();
    const failed = results?.find(([err]) => err !== null);
    if (results === null || failed !== undefined) {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'flush to Redis failed', { cause: failed?.[0] ?? null });
    }
  }
}
