import type { HttpConnectionManagerModel, HttpFilterModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { Registry } from 'prom-client';
import type { LocalReply } from '../errors/rescue';
import type { RequestContext } from '../listener/request-context';
import { FaultFilter } from './fault/fault.filter';
import { LocalRateLimitFilter } from './ratelimit/local-ratelimit.filter';
import { inboundAppPort } from './rbac/rbac-target';
import { rbacCounters } from './rbac/rbac-metrics';
import { RbacFilter } from './rbac/rbac.filter';
import type { HttpFilter, RouteFilterConfig } from './filter';

/** What filters may use besides their own config: the proxy's metrics registry, a logger, their connection manager. */
export interface FilterEnv {
  readonly registry: Registry | null;
  readonly logger: Logger | null;
  readonly hcm: HttpConnectionManagerModel | null;
}

const NO_ENV: FilterEnv = { registry: null, logger: null, hcm: null };

/** The HTTP filters of a connection manager, built once per config (router excluded: it is the end). */
export function buildFilterChain(models: readonly HttpFilterModel[], env: FilterEnv = NO_ENV): readonly HttpFilter[] {
  const out: HttpFilter[] = [];
  for (const m of models) {
    if (m.kind === 'fault') out.push(new FaultFilter(m.config));
    else if (m.kind === 'local_ratelimit') out.push(new LocalRateLimitFilter(m.config));
    else if (m.kind === 'rbac') out.push(new RbacFilter(m.name, m.config, { appPort: inboundAppPort(env.hcm) }, rbacCounters(env.registry), env.logger));
  }
  return out;
}

/**
 * Runs the chain from `start`; calls `next` when every filter continued, or `reply` with the first
 * local reply. A flat loop; only a filter that returns a promise (a delay) suspends it.
 */
export function runFilters(
  filters: readonly HttpFilter[],
  start: number,
  ctx: RequestContext,
  perRoute: RouteFilterConfig,
  next: () => void,
  reply: (r: LocalReply) => void,
): void {
  for (let i = start; i < filters.length; i++) {
    const r = filters[i].decode(ctx, perRoute);
    if (r === null) continue;
    if (r instanceof Promise) {
      r.then(
        (v) => (v === null ? runFilters(filters, i + 1, ctx, perRoute, next, reply) : reply(v)),
        () => reply({ status: 503, flag: 'LR', reason: 'WEFT_ERR_PROXY_FILTER: filter failed', body: 'local reset\n', grpcStatus: 14, headers: [] }),
      );
      return;
    }
    return reply(r);
  }
  next();
}
