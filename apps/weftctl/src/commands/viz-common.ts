import { usageError } from '../errors';
import { DEFAULT_TELEMETRY_URL, WINDOWS, telemetryClientFor, type TelemetryClient, type TelemetryWindow } from '../telemetry-client';
import { flag, stringOpt, type ParsedArgs } from './command';
import type { CliIo } from '../io';

/** Flags shared by the viz verbs (stat, edges, top, tap). */
export const VIZ_OPTIONS = {
  'telemetry-url': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export const NAMESPACE_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
} as const;

export const WINDOW_OPTIONS = {
  window: { type: 'string', short: 'w' },
  'time-window': { type: 'string', short: 't' },
} as const;

export const VIZ_HELP = `Telemetry flags:
  --telemetry-url URL   telemetry's HTTP API (default $WEFT_TELEMETRY_URL, else ${DEFAULT_TELEMETRY_URL})
  -h, --help            help for this command

Environment: WEFT_TELEMETRY_URL, WEFT_TELEMETRY_TOKEN (bearer token, when telemetry requires one).`;

export function telemetryFor(io: CliIo, args: ParsedArgs): TelemetryClient {
  return telemetryClientFor(io.env, stringOpt(args, 'telemetry-url'));
}

/** `-n NS` (default `default`) or `-A` (null: every namespace). */
export function namespaceOpt(args: ParsedArgs, verb: string): string | null {
  const ns = stringOpt(args, 'namespace');
  if (flag(args, 'all-namespaces')) {
    if (ns !== undefined) throw usageError('error: -n and -A exclude each other', verb);
    return null;
  }
  return ns ?? 'default';
}

export function windowOpt(args: ParsedArgs, verb: string): TelemetryWindow {
  const w = stringOpt(args, 'window') ?? stringOpt(args, 'time-window') ?? '1m';
  if ((WINDOWS as readonly string[]).includes(w)) return w as TelemetryWindow;
  throw usageError(`error: unknown window "${w}" (use ${WINDOWS.join(', ')})`, verb);
}

/** A positive integer flag (`--max 10`), or undefined when absent. */
export function countOpt(args: ParsedArgs, name: string, verb: string): number | undefined {
  const v = stringOpt(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw usageError(`error: --${name} must be a positive whole number (got "${v}")`, verb);
  return Number(v);
}

/** A duration flag: `30s`, `2m`, `1h` or plain seconds; undefined when absent. */
export function secondsOpt(args: ParsedArgs, name: string, verb: string): number | undefined {
  const v = stringOpt(args, name);
  if (v === undefined) return undefined;
  const m = /^(\d+)(s|m|h)?$/.exec(v);
  const n = m === null ? 0 : Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (n < 1) throw usageError(`error: --${name} must be a duration such as 30s, 2m or 1h (got "${v}")`, verb);
  return n;
}

/** Linkerd's cells: `100.00%`, `1.5rps`, `3ms`; `-` when there were no requests. */
export function pct(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(2)}%`;
}

export function rps(value: number): string {
  return `${value.toFixed(1)}rps`;
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${Math.round(value * 10) / 10}ms`;
}
