import { TokenBucket, type LocalRateLimitModel } from '@weft/proxy-core';
import { localReply } from '../../errors/rescue';
import type { RequestContext } from '../../listener/request-context';
import { rateLimitOverride, type FilterResult, type HttpFilter, type RouteFilterConfig } from '../filter';

/**
 * envoy.filters.http.local_ratelimit: a token bucket per filter (per listener), and one per route
 * that overrides it; requests over the limit get 429 with response flag RL.
 */
export class LocalRateLimitFilter implements HttpFilter {
  readonly name = 'envoy.filters.http.local_ratelimit';
  private readonly bucket: TokenBucket | null;
  private readonly routeBuckets = new WeakMap<LocalRateLimitModel, TokenBucket>();

  constructor(
    private readonly config: LocalRateLimitModel | null,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bucket = config === null ? null : new TokenBucket(config, now());
  }

  decode(_ctx: RequestContext, perRoute: RouteFilterConfig): FilterResult {
    const override = rateLimitOverride(perRoute);
    const config = override ?? this.config;
    if (config === null) return null;
    const bucket = override === null ? this.bucket : this.routeBucket(override);
    if (bucket === null || this.random() >= config.enabledFraction) return null;
    if (bucket.tryTake(this.now())) return null;
    if (this.random() >= config.enforcedFraction) return null;
    const headers = config.responseHeadersToAdd.map((h) => [h.name, h.value] as const);
    return localReply(429, 'local_rate_limited\n', 'RL', 'WEFT_ERR_PROXY_RATE_LIMITED: local rate limit exceeded', headers);
  }

  private routeBucket(model: LocalRateLimitModel): TokenBucket {
    let b = this.routeBuckets.get(model);
    if (b === undefined) {
      b = new TokenBucket(model, this.now());
      this.routeBuckets.set(model, b);
    }
    return b;
  }
}
