import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { BUCKET_SECONDS, windowBuckets, type WindowName } from '../windows/buckets';
import { EDGE_COUNTERS, type EdgeCounter } from '../windows/edge-key';
import type { GoldenSignals } from '../windows/golden-signals';
import { serviceStats } from '../windows/window-stats';
import { zeroCounters, type EdgeCounters, type WindowData } from '../windows/window.repository';

/** One 10 s bucket of a service's golden signals. */
export interface SeriesPoint {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly requests: number;
  readonly rps: number;
  readonly successRate: number | null;
  readonly latencyMs: GoldenSignals['latencyMs'];
}

const COUNTER_SET = new Set<string>(EDGE_COUNTERS);

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
    const p = this.redis.pipeline();
    for (const b of buckets) p.hgetall(this.keys.bucketCounters(b)).hgetall(this.keys.bucketHistograms(b));
    const results = await p.exec().catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read the buckets from Redis', { cause });
    });
    return buckets.map((bucket, i) => {
      const counters = resultAt(results, 2 * i);
      const histograms = resultAt(results, 2 * i + 1);
      const seconds = Math.max(1, Math.min(BUCKET_SECONDS, nowMs / 1000 - bucket));
      const data: WindowData = { window, seconds, counters: parseCounters(counters), histograms: parseHistograms(histograms) };
      const stat = serviceStats(data).find((s) => s.namespace === namespace && s.service === service);
      if (stat === undefined) return { t: bucket * 1000, requests: 0, rps: 0, successRate: null, latencyMs: null };
      return { t: bucket * 1000, requests: stat.requests, rps: stat.rps, successRate: stat.successRate, latencyMs: stat.latencyMs };
    });
  }
}

function resultAt(results: [Error | null, unknown][] | null, i: number): Record<string, string> {
  const [err, value] = results?.[i] ?? [null, {}];
  if (err !== null) throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read the buckets from Redis', { cause: err });
  return value as Record<string, string>;
}

/** Bucket counters hash (`<counter>\n<edgeId>` → n) → per-edge counters (the layout WindowRepository reads). */
function parseCounters(hash: Record<string, string>): Map<string, EdgeCounters> {
  const out = new Map<string, EdgeCounters>();
  for (const [field, value] of Object.entries(hash)) {
    const nl = field.indexOf('\n');
    const counter = field.slice(0, nl);
    if (!COUNTER_SET.has(counter)) continue;
    const edgeId = field.slice(nl + 1);
    let c = out.get(edgeId);
    if (c === undefined) {
      c = zeroCounters();
      out.set(edgeId, c);
    }
    c[counter as EdgeCounter] += Number(value);
  }
  return out;
}

/** Bucket histograms hash (`<edgeId>\n<writer>` → base64 HDR) → per-edge lists. */
function parseHistograms(hash: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [field, value] of Object.entries(hash)) {
    const edgeId = field.slice(0, field.lastIndexOf('\n'));
    const list = out.get(edgeId);
    if (list === undefined) out.set(edgeId, [value]);
    else list.push(value);
  }
  return out;
}
