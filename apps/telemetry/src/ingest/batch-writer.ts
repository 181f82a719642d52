import type { ChainableCommander, Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { BUCKET_TTL_SECONDS } from '../windows/buckets';
import type { HistogramWrite } from './bucket-histograms';
import { SERIES, SERIES_SLOTS, TCP_SLOTS, type IngestBatch } from './ingest-batch';
import { EDGE_COUNTERS } from '../windows/edge-key';

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

  private writeSeries(m: ChainableCommander, batch: IngestBatch): void {
    const k = this.keys;
    for (const [series, s] of batch.series) {
      m.hincrby(k.totals('req'), series, s[SERIES.req] as number);
      if (s[SERIES.reqB] !== 0) m.hincrby(k.totals('reqb'), series, s[SERIES.reqB] as number);
      if (s[SERIES.respB] !== 0) m.hincrby(k.totals('respb'), series, s[SERIES.respB] as number);
      m.hincrby(k.totals('dur'), `sum\n${series}`, s[SERIES.sumUs] as number);
      for (let i = SERIES.bucket0; i < SERIES_SLOTS; i++) if (s[i] !== 0) m.hincrby(k.totals('dur'), `${i - SERIES.bucket0}\n${series}`, s[i] as number);
    }
    for (const [series, s] of batch.tcp) {
      for (let i = 0; i < TCP_SLOTS.length; i++) if (s[i] !== 0) m.hincrby(k.totals('tcp'), `${TCP_SLOTS[i]}\n${series}`, s[i] as number);
    }
  }

  /** Resolves with the number of request series now in Redis (for the SeriesGuard). */
  async write(batch: IngestBatch, hists: readonly HistogramWrite[]): Promise<number> {
    const m = this.redis.multi();
    for (const [key, edges] of batch.windows) {
      for (const [id, c] of edges) for (let i = 0; i < c.length; i++) if (c[i] !== 0) m.hincrby(key, `${EDGE_COUNTERS[i]}\n${id}`, c[i] as number);
      m.expire(key, BUCKET_TTL_SECONDS);
    }
    this.writeSeries(m, batch);
    for (const [key, fields] of batch.counters) for (const [field, n] of fields) m.hincrby(key, field, n);
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
    m.hlen(this.keys.totals('req'));
    const results = await m.exec();
    const failed = results?.find(([err]) => err !== null);
    if (results === null || failed !== undefined) {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'flush to Redis failed', { cause: failed?.[0] ?? null });
    }
    return Number(results[results.length - 1]?.[1] ?? 0);
  }
}
