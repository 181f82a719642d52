import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/**
 * Latency histograms of the report contract: HDR histograms of whole milliseconds (a duration is
 * rounded up, so "≤ N ms" stays exact for integer N), 3 significant digits, auto-resizing, encoded
 * with hdr-histogram-js `encodeIntoCompressedBase64` (the HdrHistogram V2 compressed format).
 */
export function newLatencyHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

/** Milliseconds (fractional allowed) → the value recorded: whole milliseconds, rounded up, ≥ 0. */
export function latencyValue(durationMs: number): number {
  return durationMs > 0 ? Math.ceil(durationMs) : 0;
}

export function encodeLatency(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** Decodes a histogram of the contract; throws on malformed input. */
export function decodeLatency(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}
