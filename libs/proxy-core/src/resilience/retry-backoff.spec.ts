import type { RetryPolicyModel } from '../model/config-model';
import { retryDelay } from './retry-backoff';

function policy(backoffBaseMs: number, backoffMaxMs: number): RetryPolicyModel {
  return {
    retryOn: new Set(['5xx']),
    numRetries: 3,
    perTryTimeoutMs: null,
    retriableStatusCodes: [],
    backoffBaseMs,
    backoffMaxMs,
    previousHosts: false,
    hostSelectionRetryMaxAttempts: 1,
  };
}

const HIGHEST = 0.999_999;

describe('retryDelay', () => {
  it.each<[string, number, number, number, number]>([
    // name, base, max, attempt, largest possible delay
    ['first retry, 25 ms base', 25, 250, 0, 24],
    ['second retry doubles', 25, 250, 1, 49],
    ['third retry', 25, 250, 2, 99],
    ['capped at max', 25, 250, 5, 249],
    ['unset base and max: 25 ms and 10 × base', 0, 0, 0, 24],
    ['unset max is 10 × the configured base', 100, 0, 6, 999],
    ['configured base and max', 100, 400, 3, 399],
  ])('%s', (_name, base, max, attempt, largest) => {
    expect(retryDelay(attempt, policy(base, max), () => HIGHEST)).toBe(largest);
    expect(retryDelay(attempt, policy(base, max), () => 0)).toBe(0);
  });

  it('spreads delays uniformly over the window (mean ≈ half the ceiling)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647; // Park–Miller, deterministic
      return (seed - 1) / 2147483646;
    };
    const samples = 20_000;
    let sum = 0;
    for (let i = 0; i < samples; i++) sum += retryDelay(2, policy(25, 250), random);
    // Uniform integers 0..99: mean 49.5, σ of the mean ≈ 28.9 / √20 000 ≈ 0.2 ms.
    expect(Math.abs(sum / samples - 49.5)).toBeLessThan(1.5);
  });
});
