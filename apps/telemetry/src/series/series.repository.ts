import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { BUCKET_SECONDS, windowBuckets, type WindowName } from '../windows/buckets';
import type { GoldenSignals } from '../windows/golden-signals';
import { serviceStats } from '../windows/window-stats';
import { addCounters, addHistograms, readBuckets, type WindowData } from '../windows/window.repository';

/** One 10 s bucket of a service's golden signals. */
export interface SeriesPoint {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly requests: number;
  readonly rps: number;
  readonly successRate: number | null;
  readonly latencyMs: GoldenSignals['latencyMs'];
}

/**
 * Golden signals of one destination service per 10 s bucket over a window (the same buckets the
 * windows sum), read with one pipeline of HGETALLs. Each bucket goes through the windows' own
 * reporter choice and percentile merge, so a point is what `/api/v1/stat` would say of that bucket.
 */
export class SeriesRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
  ) {}

  async read(window: WindowName, namespace: string, service: string, nowMs: number): Promise<SeriesPoint[]> {
    const buckets = windowBuckets(window, nowMs);
    const hashes = await readBuckets(this.redis, this.keys, buckets);
    return buckets.map((bucket, i) => {
      const seconds = Math.max(1, Math.min(BUCKET_SECONDS, nowMs / 1000 - bucket));
      const data: WindowData = { window, seconds, counters: new Map(), histograms: new Map() };
      addCounters(data.counters, hashes[i].counters);
      addHistograms(data.histograms, hashes[i].histograms);
      const stat = serviceStats(data).find((s) => s.namespace === namespace && s.service === service);
      if (stat === undefined) return { t: bucket * 1000, requests: 0, rps: 0, successRate: null, latencyMs: null };
      return { t: bucket * 1000, requests: stat.requests, rps: stat.rps, successRate: stat.successRate, latencyMs: stat.latencyMs };
    });
  }
}
