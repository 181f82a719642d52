/**
 * Time windows over 10-second buckets. A bucket is named by its start (epoch seconds, a multiple of
 * 10); a window of W seconds is the W/10 buckets ending with the current (partial) one.
 */
export const BUCKET_SECONDS = 10;
export const WINDOWS = { '1m': 60, '5m': 300, '1h': 3600 } as const;
export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];
/** Buckets live as long as the longest window, plus a grace for late reports and clock skew. */
export const BUCKET_TTL_SECONDS = WINDOWS['1h'] + 2 * BUCKET_SECONDS;

export function bucketOf(epochMs: number): number {
  const s = Math.floor(epochMs / 1000);
  return s - (s % BUCKET_SECONDS);
}

/** The bucket starts of a window ending now, oldest first. */
export function windowBuckets(window: WindowName, nowMs: number): number[] {
  const last = bucketOf(nowMs);
  const n = WINDOWS[window] / BUCKET_SECONDS;
  return Array.from({ length: n }, (_, i) => last - (n - 1 - i) * BUCKET_SECONDS);
}

/** Seconds a window actually covers at `nowMs` (its last bucket is still filling). */
export function windowSeconds(window: WindowName, nowMs: number): number {
  const first = windowBuckets(window, nowMs)[0] ?? bucketOf(nowMs);
  return Math.max(1, nowMs / 1000 - first);
}

/** Whether a report stamped `epochMs` still falls in a bucket kept in Redis (not too old, not in the future). */
export function isStorable(epochMs: number, nowMs: number): boolean {
  return epochMs > nowMs - WINDOWS['1h'] * 1000 && epochMs < nowMs + 60_000;
}
