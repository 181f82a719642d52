import type { HeaderMatcherModel, QueryParameterMatcherModel, RouteMatchModel, StringMatcherModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { bool, has, msg, msgs, str, type ProtoMessage } from '../proto/proto-value';
import { regexOf, stringMatcher } from './common.converter';

/** envoy.config.route.v3.RouteMatch. */
export function routeMatch(m: ProtoMessage, path: string, ctx: ConfigContext): RouteMatchModel {
  return {
    path: pathSpecifier(m, path, ctx),
    caseSensitive: bool(m, 'case_sensitive') ?? true,
    headers: msgs(m, 'headers').map((h, i) => headerMatcher(h, indexPath(fieldPath(path, 'headers'), i), ctx)),
    queryParameters: msgs(m, 'query_parameters').map((q, i) => queryParameterMatcher(q, indexPath(fieldPath(path, 'query_parameters'), i), ctx)),
    grpc: has(m, 'grpc'),
  };
}

function pathSpecifier(m: ProtoMessage, path: string, ctx: ConfigContext): RouteMatchModel['path'] {
  if (has(m, 'path')) return { kind: 'path', value: str(m, 'path') };
  if (has(m, 'path_separated_prefix')) return { kind: 'path_separated_prefix', value: str(m, 'path_separated_prefix') };
  if (has(m, 'safe_regex')) return { kind: 'safe_regex', value: regexOf(msg(m, 'safe_regex') ?? {}, fieldPath(path, 'safe_regex'), ctx) };
  return { kind: 'prefix', value: str(m, 'prefix') };
}

/** Legacy header_match_specifier fields, mapped to string matchers (case-sensitive). */
const LEGACY: ReadonlyArray<readonly [string, StringMatcherModel['kind']]> = [
  ['exact_match', 'exact'],
  ['prefix_match', 'prefix'],
  ['suffix_match', 'suffix'],
  ['contains_match', 'contains'],
];

/** envoy.config.route.v3.HeaderMatcher; no specifier means "present" (as in Envoy). */
export function headerMatcher(m: ProtoMessage, path: string, ctx: ConfigContext): HeaderMatcherModel {
  const base = {
    name: str(m, 'name').toLowerCase(),
    invert: bool(m, 'invert_match') ?? false,
    treatMissingAsEmpty: bool(m, 'treat_missing_header_as_empty') ?? false,
  };
  const sm = msg(m, 'string_match');
  if (sm !== null) return { ...base, match: stringMatcher(sm, fieldPath(path, 'string_match'), ctx), presentMatch: true };
  const re = msg(m, 'safe_regex_match');
  if (re !== null) {
    const value = regexOf(re, fieldPath(path, 'safe_regex_match'), ctx);
    return { ...base, match: { kind: 'regex', value, ignoreCase: false }, presentMatch: true };
  }
  for (const [field, kind] of LEGACY) {
    if (has(m, field)) return { ...base, match: { kind, value: str(m, field), ignoreCase: false }, presentMatch: true };
  }
  return { ...base, match: null, presentMatch: bool(m, 'present_match') ?? true };
}

/** envoy.config.route.v3.QueryParameterMatcher; no specifier means "present". */
export function queryParameterMatcher(m: ProtoMessage, path: string, ctx: ConfigContext): QueryParameterMatcherModel {
  const sm = msg(m, 'string_match');
  if (bool(m, 'present_match') === false) ctx.issue(fieldPath(path, 'present_match'), 'present_match: false is not supported by weft-proxy');
  return { name: str(m, 'name'), match: sm === null ? null : stringMatcher(sm, fieldPath(path, 'string_match'), ctx) };
}
