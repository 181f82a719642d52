import type { FaultModel, HttpFilterModel, LocalRateLimitModel, PerFilterConfigModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath, keyPath } from '../config-context';
import { any, anyMap, anyMessage, durationMs, has, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { TYPE } from '../support/type-names';
import { fraction, headerValueOptions, runtimeFraction } from './common.converter';
import { rbacConfig } from './rbac.converter';

/** HTTP filters of the connection manager and their per-route overrides (typed_per_filter_config). */

export function httpFilters(hcm: ProtoMessage, path: string, ctx: ConfigContext): HttpFilterModel[] {
  const listPath = fieldPath(path, 'http_filters');
  const filters = msgs(hcm, 'http_filters').map((f, i) => httpFilter(f, indexPath(listPath, i), ctx));
  const models = filters.filter((f): f is HttpFilterModel => f !== null);
  const routers = models.filter((f) => f.kind === 'router').length;
  if (models.length === filters.length && (routers !== 1 || models[models.length - 1]?.kind !== 'router')) {
    ctx.issue(listPath, 'the router filter (envoy.filters.http.router) must be configured exactly once, as the last HTTP filter');
  }
  const seen = new Set<string>();
  models.forEach((f, i) => {
    if (seen.has(f.name)) ctx.issue(fieldPath(indexPath(listPath, i), 'name'), `duplicate HTTP filter name "${f.name}"`);
    seen.add(f.name);
  });
  return models;
}

function httpFilter(f: ProtoMessage, path: string, ctx: ConfigContext): HttpFilterModel | null {
  const name = str(f, 'name');
  const config = any(f, 'typed_config');
  if (config === null) {
    ctx.issue(fieldPath(path, 'typed_config'), 'required: the filter is chosen by its typed_config type');
    return null;
  }
  const cpath = fieldPath(path, 'typed_config');
  switch (config.typeName) {
    case TYPE.fault:
      return { kind: 'fault', name, config: faultConfig(anyMessage(config)) };
    case TYPE.localRateLimit:
      return { kind: 'local_ratelimit', name, config: localRateLimit(anyMessage(config), cpath, ctx) };
    case TYPE.rbac:
      return { kind: 'rbac', name, config: rbacConfig(anyMessage(config), cpath, ctx) };
    default:
      return { kind: 'router', name };
  }
}

/** envoy.extensions.filters.http.fault.v3.HTTPFault; an absent percentage is 0% (as in Envoy). */
export function faultConfig(m: ProtoMessage): FaultModel {
  const delay = msg(m, 'delay');
  const abort = msg(m, 'abort');
  return {
    delay: delay === null ? null : { fixedDelayMs: durationMs(delay, 'fixed_delay') ?? 0, fraction: fraction(msg(delay, 'percentage'), 0) },
    abort:
      abort === null
        ? null
        : {
            httpStatus: has(abort, 'http_status') ? num(abort, 'http_status') : null,
            grpcStatus: has(abort, 'grpc_status') ? num(abort, 'grpc_status') : null,
            fraction: fraction(msg(abort, 'percentage'), 0),
          },
  };
}

/**
 * envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit; null without a token bucket (the
 * filter then only applies where a route overrides it). filter_enabled / filter_enforced default to
 * 0% as in Envoy.
 */
export function localRateLimit(m: ProtoMessage, path: string, ctx: ConfigContext): LocalRateLimitModel | null {
  const bucket = msg(m, 'token_bucket');
  if (bucket === null) return null;
  return {
    maxTokens: num(bucket, 'max_tokens') ?? 0,
    tokensPerFill: num(bucket, 'tokens_per_fill') ?? 1,
    fillIntervalMs: durationMs(bucket, 'fill_interval') ?? 0,
    enabledFraction: runtimeFraction(msg(m, 'filter_enabled'), 0),
    enforcedFraction: runtimeFraction(msg(m, 'filter_enforced'), 0),
    responseHeadersToAdd: headerValueOptions(m, 'response_headers_to_add', path, ctx),
  };
}

export const NO_PER_FILTER_CONFIG: PerFilterConfigModel = { fault: null, localRateLimit: null };

/** typed_per_filter_config of a virtual host or route; keys are recorded to be checked against the HCM's filters. */
export function perFilterConfig(m: ProtoMessage, path: string, ctx: ConfigContext): PerFilterConfigModel {
  const entries = anyMap(m, 'typed_per_filter_config');
  if (entries.size === 0) return NO_PER_FILTER_CONFIG;
  let fault: FaultModel | null = null;
  let localRateLimitModel: LocalRateLimitModel | null = null;
  for (const [key, config] of entries) {
    const epath = keyPath(fieldPath(path, 'typed_per_filter_config'), key);
    const kind = config.typeName === TYPE.fault ? 'fault' : 'local_ratelimit';
    if ((kind === 'fault' ? fault : localRateLimitModel) !== null) ctx.issue(epath, `only one ${kind} override per route or virtual host`);
    ctx.perFilterRefs.push({ filterName: key, kind, path: epath });
    if (kind === 'fault') fault = faultConfig(anyMessage(config));
    else localRateLimitModel = perRouteRateLimit(anyMessage(config), epath, ctx);
  }
  return { fault, localRateLimit: localRateLimitModel };
}

function perRouteRateLimit(m: ProtoMessage, path: string, ctx: ConfigContext): LocalRateLimitModel | null {
  const model = localRateLimit(m, path, ctx);
  if (model === null) ctx.issue(fieldPath(path, 'token_bucket'), 'required in a per-route local_ratelimit config by weft-proxy');
  return model;
}
