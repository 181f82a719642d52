import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { windowBuckets, windowSeconds, type WindowName } from './buckets';
import { EDGE_COUNTERS, type EdgeCounter } from './edge-key';

export type EdgeCounters = Record<EdgeCounter, number>;

/** The raw content of a window: counters summed over its buckets, and every histogram to merge, per edge. */
export interface WindowData {
  readonly window: WindowName;
  readonly seconds: number;
  readonly counters: Map<string, EdgeCounters>;
  readonly histograms: Map<string, string[]>;
}

export function zeroCounters(): EdgeCounters {
  return Object.fromEntries(EDGE_COUNTERS.map((c) => [c, 0])) as EdgeCounters;
}

const COUNTER_SET = new Set<string>(EDGE_COUNTERS);

/** Reads a window's buckets from Redis (one pipeline of HGETALLs); any replica answers for all. */
export class WindowRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
  ) {}

  async read(window: WindowName, nowMs: number): Promise<WindowData> {
    const data: WindowData = { window, seconds: windowSeconds(window, nowMs), counters: new Map(), histograms: new Map() };
    for (const bucket of await readBuckets(this.redis, this.keys, windowBuckets(window, nowMs))) {
      addCounters(data.counters, bucket.counters);
      addHistograms(data.histograms, bucket.histograms);
    }
    return data;
  }
}

/** The raw hashes of one bucket: counters (`<counter>\n<edgeId>` → n) and histograms (`<edgeId>\n<writer>` → HDR). */
export interface BucketHashes {
  readonly counters: Record<string, string>;
  readonly histograms: Record<string, string>;
}

/** The hashes of each bucket, in order, with one pipeline of HGETALLs. */
export async function readBuckets(redis: Redis, keys: TelemetryKeys, buckets: readonly number[]): Promise<BucketHashes[]> {
  const p = redis.pipeline();
  for (const b of buckets) p.hgetall(keys.bucketCounters(b)).hgetall(keys.bucketHistograms(b));
  const unavailable = (cause: unknown): Error => telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read the windows from Redis', { cause });
  const results = await p.exec().catch((cause: unknown) => {
    throw unavailable(cause);
  });
  const hash = (i: number): Record<string, string> => {
    const [err, value] = results?.[i] ?? [null, {}];
    if (err !== null) throw unavailable(err);
    return value as Record<string, string>;
  };
  return buckets.map((_, i) => ({ counters: hash(2 * i), histograms: hash(2 * i + 1) }));
}

export function addCounters(into: Map<string, EdgeCounters>, hash: Record<string, string>): void {
  for (const [field, value] of Object.entries(hash)) {
    const nl = field.indexOf('\n');
    const counter = field.slice(0, nl);
    if (!COUNTER_SET.has(counter)) continue;
    const edgeId = field.slice(nl + 1);
    let c = into.get(edgeId);
    if (c === undefined) {
      c = zeroCounters();
      into.set(edgeId, c);
    }
    c[counter as EdgeCounter] += Number(value);
  }
}

export function addHistograms(into: Map<string, string[]>, hash: Record<string, string>): void {
  for (const [field, value] of Object.entries(hash)) {
    const edgeId = field.slice(0, field.lastIndexOf('\n'));
    const list = into.get(edgeId);
    if (list === undefined) into.set(edgeId, [value]);
    else list.push(value);
  }
}
