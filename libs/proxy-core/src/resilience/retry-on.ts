import type { RetryPolicyModel } from '../model/config-model';

/** Response headers as Node gives them (lower-case names). */
export type ResponseHeadersLike = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * How one upstream attempt ended. For `response`, `grpcStatus` is the grpc-status of the response
 * HEADERS (a trailers-only gRPC response carries it there), or null; when null and `headers` is
 * given, grpc-status is read from `headers`. Never pass a grpc-status from trailers that follow a
 * body: Envoy does not retry on those. `timeout` is a per-try timeout (the overall route timeout is
 * never retried). Reuse the `*_OUTCOME` constants for the non-response kinds.
 */
export type RetryOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly grpcStatus: number | null;
      readonly headers?: ResponseHeadersLike;
    }
  | { readonly kind: 'reset' }
  | { readonly kind: 'connect-failure' }
  | { readonly kind: 'refused-stream' }
  | { readonly kind: 'timeout' };

export const RESET_OUTCOME: RetryOutcome = Object.freeze({ kind: 'reset' });
export const CONNECT_FAILURE_OUTCOME: RetryOutcome = Object.freeze({ kind: 'connect-failure' });
export const REFUSED_STREAM_OUTCOME: RetryOutcome = Object.freeze({ kind: 'refused-stream' });
export const TIMEOUT_OUTCOME: RetryOutcome = Object.freeze({ kind: 'timeout' });

export type RetryPredicate = (outcome: RetryOutcome) => boolean;

const ON_5XX = 1 << 0;
const ON_GATEWAY_ERROR = 1 << 1;
const ON_RESET = 1 << 2;
const ON_CONNECT_FAILURE = 1 << 3;
const ON_REFUSED_STREAM = 1 << 4;
const ON_RETRIABLE_4XX = 1 << 5;
const ON_RETRIABLE_STATUS_CODES = 1 << 6;
const ON_ENVOY_RATELIMITED = 1 << 7;
const ON_GRPC_CANCELLED = 1 << 8;
const ON_GRPC_DEADLINE_EXCEEDED = 1 << 9;
const ON_GRPC_RESOURCE_EXHAUSTED = 1 << 10;
const ON_GRPC_INTERNAL = 1 << 11;
const ON_GRPC_UNAVAILABLE = 1 << 12;
const ON_GRPC_ANY = ON_GRPC_CANCELLED | ON_GRPC_DEADLINE_EXCEEDED | ON_GRPC_RESOURCE_EXHAUSTED | ON_GRPC_INTERNAL | ON_GRPC_UNAVAILABLE;
/** Every reset-like failure (no response) is retried by these, as Envoy's `wouldRetryFromReset`. */
const ON_ANY_RESET = ON_5XX | ON_GATEWAY_ERROR | ON_RESET;

const RETRY_ON_BITS: ReadonlyMap<string, number> = new Map([
  ['5xx', ON_5XX],
  ['gateway-error', ON_GATEWAY_ERROR],
  ['reset', ON_RESET],
  ['connect-failure', ON_CONNECT_FAILURE],
  ['refused-stream', ON_REFUSED_STREAM],
  ['retriable-4xx', ON_RETRIABLE_4XX],
  ['retriable-status-codes', ON_RETRIABLE_STATUS_CODES],
  ['envoy-ratelimited', ON_ENVOY_RATELIMITED],
  ['cancelled', ON_GRPC_CANCELLED],
  ['deadline-exceeded', ON_GRPC_DEADLINE_EXCEEDED],
  ['resource-exhausted', ON_GRPC_RESOURCE_EXHAUSTED],
  ['internal', ON_GRPC_INTERNAL],
  ['unavailable', ON_GRPC_UNAVAILABLE],
]);

/** The retry_on values understood here (Envoy names); `compileRetryOn` ignores any other value. */
export const SUPPORTED_RETRY_ON: ReadonlySet<string> = new Set(RETRY_ON_BITS.keys());

/** Bit for a gRPC status code (1 cancelled, 4 deadline-exceeded, 8 resource-exhausted, 13 internal, 14 unavailable). */
function grpcBit(code: number): number {
  switch (code) {
    case 1:
      return ON_GRPC_CANCELLED;
    case 4:
      return ON_GRPC_DEADLINE_EXCEEDED;
    case 8:
      return ON_GRPC_RESOURCE_EXHAUSTED;
    case 13:
      return ON_GRPC_INTERNAL;
    case 14:
      return ON_GRPC_UNAVAILABLE;
    default:
      return 0;
  }
}

function headerGrpcStatus(headers: ResponseHeadersLike | undefined): number {
  const value = headers?.['grpc-status'];
  return typeof value === 'string' ? Number(value) : -1;
}

function retryOnResponse(
  mask: number,
  codes: readonly number[],
  status: number,
  grpcStatus: number,
  headers: ResponseHeadersLike | undefined,
): boolean {
  // A response from an upstream Envoy that rate-limited the request is retried only on request.
  if (headers !== undefined && headers['x-envoy-ratelimited'] !== undefined) return (mask & ON_ENVOY_RATELIMITED) !== 0;
  if ((mask & ON_5XX) !== 0 && status >= 500 && status <= 599) return true;
  if ((mask & ON_GATEWAY_ERROR) !== 0 && status >= 502 && status <= 504) return true;
  if ((mask & ON_RETRIABLE_4XX) !== 0 && status === 409) return true;
  if ((mask & ON_RETRIABLE_STATUS_CODES) !== 0 && codes.includes(status)) return true;
  return (mask & ON_GRPC_ANY & grpcBit(grpcStatus)) !== 0;
}

/** Envoy `RetryStateImpl::wouldRetryFromHeaders` / `wouldRetryFromReset` for one outcome. No allocation. */
function shouldRetryOutcome(mask: number, codes: readonly number[], outcome: RetryOutcome): boolean {
  switch (outcome.kind) {
    case 'response':
      return retryOnResponse(
        mask,
        codes,
        outcome.status,
        outcome.grpcStatus ?? headerGrpcStatus(outcome.headers),
        outcome.headers,
      );
    case 'connect-failure':
      return (mask & (ON_ANY_RESET | ON_CONNECT_FAILURE)) !== 0;
    case 'refused-stream':
      return (mask & (ON_ANY_RESET | ON_REFUSED_STREAM)) !== 0;
    case 'reset':
    case 'timeout':
      return (mask & ON_ANY_RESET) !== 0;
  }
}

/**
 * Compiles a route's retry_on set once, at config time, into a predicate for the router. Semantics
 * (router filter docs "x-envoy-retry-on" / "x-envoy-retry-grpc-on", `retry_state_impl.cc`):
 * - `5xx`: any 5xx response, or no response at all (reset, connect failure, refused stream, per-try timeout).
 * - `gateway-error`: 502/503/504, and likewise every no-response outcome (Envoy answers those with 503/504).
 * - `reset`: every no-response outcome. `connect-failure`, `refused-stream`: only that outcome.
 * - `retriable-4xx`: 409. `retriable-status-codes`: the policy's `retriableStatusCodes`.
 * - gRPC `cancelled` 1, `deadline-exceeded` 4, `resource-exhausted` 8, `internal` 13, `unavailable` 14,
 *   matched on the response-headers grpc-status only.
 * - A response carrying `x-envoy-ratelimited` is retried only with `envoy-ratelimited`.
 * Not covered: `retriable-headers`, `reset-before-request`, `http3-post-connect-failure`.
 */
export function compileRetryOn(policy: RetryPolicyModel): RetryPredicate {
  let mask = 0;
  for (const value of policy.retryOn) mask |= RETRY_ON_BITS.get(value) ?? 0;
  const codes = Object.freeze([...policy.retriableStatusCodes]);
  if (mask === 0) return () => false;
  return (outcome) => shouldRetryOutcome(mask, codes, outcome);
}
