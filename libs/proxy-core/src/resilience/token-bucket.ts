import type { LocalRateLimitModel } from '../model/config-model';

/**
 * Envoy's local rate limit token bucket (`type.v3.TokenBucket`): starts full with `maxTokens`,
 * gains `tokensPerFill` every `fillIntervalMs`, never holds more than `maxTokens`. Refilled lazily
 * from the caller's `now` (no timers), continuously at tokensPerFill / fillIntervalMs, as Envoy
 * ≥ 1.31 does (`RateLimitTokenBucket` over `AtomicTokenBucketImpl`). Time is kept in integer
 * "token-milliseconds" (one token = fillIntervalMs units), so refills do not drift.
 */
export class TokenBucket {
  /** Stored credit in units of 1/fillIntervalMs token. */
  private credit: number;
  private last: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly cost: number;

  constructor(config: Pick<LocalRateLimitModel, 'maxTokens' | 'tokensPerFill' | 'fillIntervalMs'>, now: number) {
    this.cost = config.fillIntervalMs;
    this.capacity = config.maxTokens * config.fillIntervalMs;
    this.perMs = config.tokensPerFill;
    this.credit = this.capacity;
    this.last = now;
  }

  /** Takes one token if one is available at `now`. No allocation. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.credit < this.cost) return false;
    this.credit -= this.cost;
    return true;
  }

  /** Whole tokens available at `now` (for x-ratelimit-remaining style headers). */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.credit / this.cost);
  }

  /** Milliseconds from `now` until the next token is available (0 if one is available now). */
  msUntilNext(now: number): number {
    this.refill(now);
    const missing = this.cost - this.credit;
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMs);
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed <= 0) return; // a clock that did not move (or went back) adds nothing
    this.last = now;
    const credit = this.credit + elapsed * this.perMs;
    this.credit = credit < this.capacity ? credit : this.capacity;
  }
}
