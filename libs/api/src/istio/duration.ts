import { z } from 'zod';

/**
 * Istio's YAML writes `google.protobuf.Duration` the way Kubernetes' CEL `duration()` reads it: Go
 * durations ("1s", "0.5s", "100ms", "5m", "1h", "1m30s"; units h, m, s, ms, us/µs, ns). Rules keep
 * them as milliseconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000_001,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|μs|ns|h|m|s)/y;

export const DURATION_HINT = 'must be a duration such as "1s", "0.5s", "100ms", "1m30s" or "1h"';

/** Milliseconds of a Go/protobuf duration string; null when it is not one (negative included). */
export function parseDurationMs(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (m === null) return null;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  // Sums of decimal fractions drift ("1.1s" = 1100.0000000000002): round to the nanosecond.
  return Math.round(total * 1e6) / 1e6;
}

/** Any duration ≥ 0, in milliseconds. */
export const durationMs = z.string({ error: DURATION_HINT }).transform((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === null) {
    ctx.issues.push({ code: 'custom', message: `${JSON.stringify(text)} ${DURATION_HINT}`, input: text });
    return z.NEVER;
  }
  return ms;
});

/** Istio's `ValidateDuration`: at least 1ms, whole milliseconds. */
export const positiveDurationMs = durationMs.pipe(
  z
    .number()
    .min(1, 'duration must be at least 1ms')
    .refine((ms) => Number.isInteger(ms), 'only durations to ms precision are supported'),
);

/** Like `positiveDurationMs`, but "0s" is allowed (it disables the timeout it sets). */
export const zeroOrPositiveDurationMs = durationMs.pipe(
  z
    .number()
    .refine((ms) => ms === 0 || ms >= 1, 'duration must be 0 (disabled) or at least 1ms')
    .refine((ms) => Number.isInteger(ms), 'only durations to ms precision are supported'),
);
