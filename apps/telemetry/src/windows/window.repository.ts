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
    const buckets = windowBuckets(window, nowMs);
    const p = this.redis.pipeline();
    for (const b of buckets) p.hgetall(this.keys.bucketCounters(b)).hgetall(this.keys.bucketHistograms(b));
    const results = await p.exec().catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read the windows from Redis', { cause });
    });
    const data: WindowData = { window, seconds: windowSeconds(window, nowMs), counters: new Map(), histograms: new Map() };
    for (let i = 0; i < (results?.length ?? 0); i++) {
      const [err, value] = results?.[i] ?? [null, null];
      if (err !== null) throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read the windows from Redis', { cause: err });
      if (i % 2 === 0) addCounters(data.counters, value as Record<string, string>);
      else addHistograms(data.histograms, value as Record<string, string>);
    }
    return data;
  }
}

function addCounters(into: Map<string, EdgeCounters>, hash: Record<string, string>): void {
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

function addHistograms(into: Map<string, string[]>, hash: Record<string, string>): void {
  for (const [field, value] of Object.entries(hash)) {
    const edgeId = field.slice(0, field.lastIndexOf('\n'));
    const list = into.get(edgeId);
    if (list === undefined) into.set(edgeId, [value]);
    else list.push(value);
  }
}
