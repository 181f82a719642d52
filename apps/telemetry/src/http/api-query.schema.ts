import { z } from 'zod';
import { fieldIssues } from '@weft/shared';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import { WINDOW_NAMES } from '../windows/buckets';

const optionalText = z.string().min(1).max(253).optional();
const intParam = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const windowQuery = z.object({ window: z.enum(WINDOW_NAMES as [string, ...string[]]).default('1m') });

export const logsQuery = z.object({
  service: optionalText,
  status: z.string().regex(/^([1-5]xx|\d{1,3})$/i, 'a status (503) or a class (5xx)').optional(),
  flag: z.string().regex(/^[A-Z]{1,8}$/, 'a response flag such as UF').optional(),
  traceId: z.string().regex(/^[0-9a-f]{16,32}$/i, '16-32 hex characters').optional(),
  limit: intParam(1, 1000, 100),
});

/** Zipkin v2 `GET /api/v2/traces` (defaults as Zipkin's: 10 traces, 1 day back from now). */
export const tracesQuery = z.object({
  serviceName: optionalText,
  limit: intParam(1, 1000, 10),
  lookback: intParam(1, 30 * 24 * 3600 * 1000, 24 * 3600 * 1000),
  endTs: z.coerce.number().int().positive().optional(),
});

/** Zipkin v2 `GET /api/v2/spans` and `/remoteServices`. */
export const serviceQuery = z.object({ serviceName: z.string().min(1).max(253) });

/** Zipkin v2 `GET /api/v2/dependencies` (endTs is accepted; the windows always end now). */
export const dependenciesQuery = z.object({
  endTs: z.coerce.number().int().positive().optional(),
  lookback: intParam(1, 30 * 24 * 3600 * 1000, 24 * 3600 * 1000),
});

export const traceIdParam = z.string().regex(/^[0-9a-fA-F]{16,32}$/, 'a trace id is 16 or 32 hex characters');

/** Validates query parameters; a bad one is a 400 naming it. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issues = fieldIssues(parsed.error, '');
  throw telemetryError(TELEMETRY_ERRORS.badQuery, 'invalid-argument', `bad query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}
