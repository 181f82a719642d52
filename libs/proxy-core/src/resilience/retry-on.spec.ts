import type { RetryPolicyModel } from '../model/config-model';
import {
  compileRetryOn,
  CONNECT_FAILURE_OUTCOME,
  REFUSED_STREAM_OUTCOME,
  RESET_OUTCOME,
  type RetryOutcome,
  SUPPORTED_RETRY_ON,
  TIMEOUT_OUTCOME,
} from './retry-on';

function policy(retryOn: string, retriableStatusCodes: number[] = []): RetryPolicyModel {
  return {
    retryOn: new Set(retryOn.split(',').filter(Boolean)),
    numRetries: 1,
    perTryTimeoutMs: null,
    retriableStatusCodes,
    backoffBaseMs: 25,
    backoffMaxMs: 250,
    previousHosts: false,
    hostSelectionRetryMaxAttempts: 1,
  };
}

const http = (status: number, headers?: Record<string, string>): RetryOutcome => ({ kind: 'response', status, grpcStatus: null, headers });
const grpc = (grpcStatus: number): RetryOutcome => ({ kind: 'response', status: 200, grpcStatus });

const OUTCOMES: Record<string, RetryOutcome> = {
  '200': http(200),
  '404': http(404),
  '409': http(409),
  '429': http(429),
  '500': http(500),
  '501': http(501),
  '502': http(502),
  '503': http(503),
  '504': http(504),
  reset: RESET_OUTCOME,
  'connect-failure': CONNECT_FAILURE_OUTCOME,
  'refused-stream': REFUSED_STREAM_OUTCOME,
  timeout: TIMEOUT_OUTCOME,
};

describe('compileRetryOn', () => {
  it.each<[string, number[], string[]]>([
    // retry_on, retriable status codes, outcomes (keys of OUTCOMES) that are retried
    ['', [], []],
    ['5xx', [], ['500', '501', '502', '503', '504', 'reset', 'connect-failure', 'refused-stream', 'timeout']],
    ['gateway-error', [], ['502', '503', '504', 'reset', 'connect-failure', 'refused-stream', 'timeout']],
    ['reset', [], ['reset', 'connect-failure', 'refused-stream', 'timeout']],
    ['connect-failure', [], ['connect-failure']],
    ['refused-stream', [], ['refused-stream']],
    ['retriable-4xx', [], ['409']],
    ['retriable-status-codes', [429, 404], ['404', '429']],
    ['retriable-status-codes', [], []],
    ['connect-failure,refused-stream,retriable-4xx', [], ['409', 'connect-failure', 'refused-stream']],
    ['unavailable,cancelled', [], []],
    ['not-a-policy', [], []],
  ])('retry_on "%s" (codes %j) retries %j', (retryOn, codes, expected) => {
    const shouldRetry = compileRetryOn(policy(retryOn, codes));
    const retried = Object.keys(OUTCOMES).filter((name) => shouldRetry(OUTCOMES[name]));
    expect(retried.sort()).toEqual([...expected].sort());
  });

  it('lists the supported values so config translation can reject the others', () => {
    expect([...SUPPORTED_RETRY_ON].sort()).toEqual(
      [
        '5xx',
        'gateway-error',
        'reset',
        'connect-failure',
        'refused-stream',
        'retriable-4xx',
        'retriable-status-codes',
        'envoy-ratelimited',
        'cancelled',
        'deadline-exceeded',
        'resource-exhausted',
        'internal',
        'unavailable',
      ].sort(),
    );
  });

  it('ignores retriable status codes unless retriable-status-codes is on', () => {
    expect(compileRetryOn(policy('connect-failure', [503]))(http(503))).toBe(false);
  });

  it.each<[string, number, boolean]>([
    // retry_on, grpc-status in the response headers, retried
    ['cancelled', 1, true],
    ['deadline-exceeded', 4, true],
    ['resource-exhausted', 8, true],
    ['internal', 13, true],
    ['unavailable', 14, true],
    ['unavailable', 13, false],
    ['unavailable', 0, false],
    ['cancelled,deadline-exceeded,internal,resource-exhausted,unavailable', 2, false],
    ['cancelled,deadline-exceeded,internal,resource-exhausted,unavailable', 5, false],
    ['5xx', 14, false],
  ])('gRPC: retry_on "%s", grpc-status %i → %s', (retryOn, status, expected) => {
    expect(compileRetryOn(policy(retryOn))(grpc(status))).toBe(expected);
  });

  it.each<[string, Record<string, string>, boolean]>([
    ['grpc-status read from headers when not given', { 'grpc-status': '14' }, true],
    ['non-retriable grpc-status in headers', { 'grpc-status': '3' }, false],
    ['no grpc-status at all', {}, false],
  ])('%s', (_name, headers, expected) => {
    expect(compileRetryOn(policy('unavailable'))(http(200, headers))).toBe(expected);
  });

  it('prefers the explicit grpcStatus over headers', () => {
    const outcome: RetryOutcome = { kind: 'response', status: 200, grpcStatus: 0, headers: { 'grpc-status': '14' } };
    expect(compileRetryOn(policy('unavailable'))(outcome)).toBe(false);
  });

  it.each<[string, boolean]>([
    ['5xx', false],
    ['5xx,envoy-ratelimited', true],
  ])('a 503 with x-envoy-ratelimited under "%s" → %s', (retryOn, expected) => {
    expect(compileRetryOn(policy(retryOn))(http(503, { 'x-envoy-ratelimited': 'true' }))).toBe(expected);
  });
});
