import type { z } from 'zod';
import { telemetryReport, type TelemetryReport } from '@weft/api';
import { fieldIssues } from '@weft/shared';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { conformsToReport } from './report-shape';

const utf8 = new TextDecoder();

/** Parses and validates a message body (NATS payload or HTTP body) once, at the edge. */
export function decodeMessage<S extends z.ZodType>(schema: S, data: Uint8Array | string | unknown, what: string): z.output<S> {
  const value = parseJson(data, what);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error, '');
    const first = issues[0];
    const detail = first === undefined ? '' : `: ${first.path}: ${first.message}`;
    throw telemetryError(TELEMETRY_ERRORS.invalidPayload, 'invalid-argument', `${what} does not match the contract${detail}`, { issues });
  }
  return parsed.data;
}

/**
 * A proxy report (NATS payload): checked by the hot-path {@link conformsToReport}; one it refuses is
 * parsed by zod for the field and reason of the rejection.
 */
export function decodeReport(data: Uint8Array | string): TelemetryReport {
  const value = parseJson(data, 'report');
  return conformsToReport(value) ? value : decodeMessage(telemetryReport, value, 'report');
}

function parseJson(data: unknown, what: string): unknown {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) return data;
  try {
    return JSON.parse(typeof data === 'string' ? data : utf8.decode(data));
  } catch (cause) {
    throw telemetryError(TELEMETRY_ERRORS.invalidPayload, 'invalid-argument', `${what}: not JSON`, { cause });
  }
}

/** `json`, `schema` or `histogram`: the reason label of a rejected message. */
export function rejectionReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === TELEMETRY_ERRORS.badHistogram) return 'histogram';
  if (e.code === TELEMETRY_ERRORS.invalidPayload) return e.message?.endsWith('not JSON') === true ? 'json' : 'schema';
  return 'other';
}
