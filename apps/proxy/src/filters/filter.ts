import type { FaultModel, LocalRateLimitModel, PerFilterConfigModel } from '@weft/proxy-core';
import type { LocalReply } from '../errors/rescue';
import type { RequestContext } from '../listener/request-context';

/**
 * The HTTP filter contract. Filters are built once per config (one instance per listener), see only
 * Weft's RequestContext, and answer: continue (null), reply locally, or a promise of either (a
 * delay). The router is not a filter object: it is the chain's terminal step.
 */
export type FilterResult = LocalReply | null | Promise<LocalReply | null>;

/** Per-route filter overrides in effect for the matched route (route's, else its virtual host's). */
export interface RouteFilterConfig {
  readonly route: PerFilterConfigModel;
  readonly vhost: PerFilterConfigModel;
}

export interface HttpFilter {
  readonly name: string;
  decode(ctx: RequestContext, perRoute: RouteFilterConfig): FilterResult;
}

export function faultOverride(p: RouteFilterConfig): FaultModel | null {
  return p.route.fault ?? p.vhost.fault;
}

export function rateLimitOverride(p: RouteFilterConfig): LocalRateLimitModel | null {
  return p.route.localRateLimit ?? p.vhost.localRateLimit;
}
