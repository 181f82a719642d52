import { z } from 'zod';
import { fail, percent, unsupported } from './common.schema';
import { positiveDurationMs } from './duration';
import { destination } from './http-route.schema';
import type { HttpFault, HttpFaultAbort, HttpFaultDelay, HttpMirror, HttpRetry } from './virtual-service.types';

/** VirtualService pieces that shape how a request is tried: retries, fault injection, mirroring. */

/** Istio's `supportedRetryOnPolicies` (Envoy `x-envoy-retry-on` and `x-envoy-retry-grpc-on`). */
const RETRY_ON_POLICIES = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/**
 * Istio's default retry policy (pilot `route/retry.DefaultPolicy`): 2 attempts on connect-failure,
 * refused-stream, unavailable, cancelled and 503 (`retriable-status-codes` [503], the documented mesh
 * default; Istio ≥ 1.24 can exclude 503 by a feature flag, Weft keeps it); skip previously tried
 * hosts; Envoy's 25 ms back-off.
 */
export const DEFAULT_RETRY_ON: readonly string[] = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];
export const DEFAULT_RETRIABLE_STATUS_CODES: readonly number[] = [503];
export const DEFAULT_RETRY_BACKOFF_MS = 25;

export function defaultHttpRetry(): HttpRetry {
  return {
    attempts: 2,
    perTryTimeoutMs: null,
    retryOn: [...DEFAULT_RETRY_ON],
    retriableStatusCodes: [...DEFAULT_RETRIABLE_STATUS_CODES],
    retryRemoteLocalities: false,
    retryIgnorePreviousHosts: null,
    backoffMs: DEFAULT_RETRY_BACKOFF_MS,
  };
}

function retryOnParts(retryOn: string): string[] {
  return retryOn
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
const isStatusCode = (p: string) => /^\d{3}$/.test(p) && Number(p) >= 100 && Number(p) <= 599;

const retryOn = z.string().superRefine((value, ctx) => {
  for (const part of retryOnParts(value)) {
    if (!isStatusCode(part) && !RETRY_ON_POLICIES.has(part)) {
      fail(ctx, `${JSON.stringify(part)} is not a valid retryOn policy`);
    }
  }
});

/** Istio `parseRetryOn`: numbers are status codes, which need `retriable-status-codes`. */
function splitRetryOn(value: string): { retryOn: string[]; retriableStatusCodes: number[] } {
  const parts = retryOnParts(value);
  const codes = parts.filter(isStatusCode).map(Number);
  const conditions = parts.filter((p) => !isStatusCode(p));
  if (codes.length > 0 && !conditions.includes('retriable-status-codes')) conditions.push('retriable-status-codes');
  return { retryOn: conditions, retriableStatusCodes: codes };
}

export const httpRetry = z
  .strictObject({
    attempts: z.number().int().min(0, 'attempts cannot be negative').optional(),
    perTryTimeout: positiveDurationMs.optional(),
    retryOn: retryOn.optional(),
    retryRemoteLocalities: z.boolean().optional(),
    retryIgnorePreviousHosts: z.boolean().optional(),
    backoff: positiveDurationMs.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.attempts ?? 0) === 0 && (r.perTryTimeout !== undefined || r.retryOn || r.retryRemoteLocalities !== undefined)) {
      fail(ctx, 'http retry policy configured when attempts are set to 0 (disabled)', ['attempts']);
    }
  })
  .transform((r): HttpRetry => {
    const attempts = r.attempts ?? 0;
    const defaults = attempts > 0 ? { retryOn: [...DEFAULT_RETRY_ON], retriableStatusCodes: [...DEFAULT_RETRIABLE_STATUS_CODES] } : { retryOn: [], retriableStatusCodes: [] };
    const on = attempts > 0 && r.retryOn ? splitRetryOn(r.retryOn) : defaults;
    return {
      attempts,
      perTryTimeoutMs: r.perTryTimeout ?? null,
      ...on,
      retryRemoteLocalities: r.retryRemoteLocalities ?? false,
      retryIgnorePreviousHosts: r.retryIgnorePreviousHosts ?? null,
      backoffMs: r.backoff ?? DEFAULT_RETRY_BACKOFF_MS,
    };
  });

const delay = z
  .strictObject({
    fixedDelay: positiveDurationMs,
    exponentialDelay: unsupported('exponentialDelay is not supported (Istio rejects it too: "exponentialDelay not supported yet")'),
    percentage: percent.optional(),
    percent: z.number().int().min(0).max(100).optional(),
  })
  .transform((d): HttpFaultDelay => ({ fixedDelayMs: d.fixedDelay, percentage: d.percentage ?? d.percent ?? 0 }));

/** gRPC status names Istio accepts for `abort.grpcStatus`, by code. */
const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

const httpStatus = z.number().int().min(200, 'HTTP status must be in range 200-599').max(599, 'HTTP status must be in range 200-599');

const abort = z
  .strictObject({
    httpStatus: httpStatus.optional(),
    grpcStatus: z.enum(GRPC_STATUS, { error: `grpcStatus must be a gRPC status name such as NOT_FOUND or UNAVAILABLE` }).optional(),
    http2Error: unsupported('http2Error is not supported (Istio rejects it too: "HTTP/2 abort fault injection not supported yet")'),
    percentage: percent.optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.httpStatus === undefined) === (a.grpcStatus === undefined)) fail(ctx, 'abort needs exactly one of httpStatus, grpcStatus');
  })
  .transform(
    (a): HttpFaultAbort =>
      a.grpcStatus !== undefined
        ? { kind: 'grpc', status: GRPC_STATUS.indexOf(a.grpcStatus), percentage: a.percentage ?? 0 }
        : { kind: 'http', status: a.httpStatus as number, percentage: a.percentage ?? 0 },
  );

export const httpFault = z
  .strictObject({ delay: delay.optional(), abort: abort.optional() })
  .superRefine((f, ctx) => {
    if (f.delay === undefined && f.abort === undefined) fail(ctx, 'HTTP fault injection must have an abort and/or a delay');
  })
  .transform((f): HttpFault => ({ delay: f.delay ?? null, abort: f.abort ?? null }));

export const httpMirrorPolicy = z
  .strictObject({ destination, percentage: percent.optional() })
  .transform((m): HttpMirror => ({ destination: m.destination, percentage: m.percentage ?? 100 }));
