import type { HeaderMutationsModel, HeaderValueOption, StringMatcherModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { bool, enumName, has, msg, msgs, num, str, strs, type ProtoMessage } from '../proto/proto-value';

/** Shared pieces: header mutations, string matchers, fractions, regexes. */

const APPEND_ACTIONS: Readonly<Record<string, boolean>> = { APPEND_IF_EXISTS_OR_ADD: true, OVERWRITE_IF_EXISTS_OR_ADD: false };

export function headerValueOptions(m: ProtoMessage, field: string, path: string, ctx: ConfigContext): HeaderValueOption[] {
  return msgs(m, field).map((o, i) => headerValueOption(o, indexPath(fieldPath(path, field), i), ctx));
}

function headerValueOption(o: ProtoMessage, path: string, ctx: ConfigContext): HeaderValueOption {
  const header = msg(o, 'header') ?? {};
  const name = str(header, 'key').toLowerCase();
  if (name.startsWith(':') || name === 'host') ctx.issue(fieldPath(path, 'header.key'), `${name} cannot be modified by header mutations`);
  const action = enumName(o, 'append_action', 'APPEND_IF_EXISTS_OR_ADD');
  const appendFlag = bool(o, 'append');
  if (appendFlag !== null && has(o, 'append_action')) ctx.issue(fieldPath(path, 'append'), 'append and append_action cannot both be set');
  if (!(action in APPEND_ACTIONS)) ctx.issue(fieldPath(path, 'append_action'), `${action} is not supported by weft-proxy`);
  const append = appendFlag ?? APPEND_ACTIONS[action] ?? true;
  return { name, value: str(header, 'value'), append };
}

export function headerNames(m: ProtoMessage, field: string, path: string, ctx: ConfigContext): string[] {
  return strs(m, field).map((name, i) => {
    const lower = name.toLowerCase();
    if (lower.startsWith(':') || lower === 'host') ctx.issue(indexPath(fieldPath(path, field), i), `${lower} cannot be removed`);
    return lower;
  });
}

/** request/response headers to add/remove of a route configuration, virtual host, route or weighted cluster. */
export function headerMutations(m: ProtoMessage, path: string, ctx: ConfigContext): HeaderMutationsModel {
  return {
    requestHeadersToAdd: headerValueOptions(m, 'request_headers_to_add', path, ctx),
    requestHeadersToRemove: headerNames(m, 'request_headers_to_remove', path, ctx),
    responseHeadersToAdd: headerValueOptions(m, 'response_headers_to_add', path, ctx),
    responseHeadersToRemove: headerNames(m, 'response_headers_to_remove', path, ctx),
  };
}

const STRING_KINDS = ['exact', 'prefix', 'suffix', 'contains'] as const;

/** envoy.type.matcher.v3.StringMatcher. `ignore_case` has no effect on regexes (as in Envoy). */
export function stringMatcher(m: ProtoMessage, path: string, ctx: ConfigContext): StringMatcherModel {
  const ignoreCase = bool(m, 'ignore_case') ?? false;
  for (const kind of STRING_KINDS) {
    if (has(m, kind)) return { kind, value: str(m, kind), ignoreCase };
  }
  const regex = regexOf(msg(m, 'safe_regex') ?? {}, fieldPath(path, 'safe_regex'), ctx);
  return { kind: 'regex', value: regex, ignoreCase: false };
}

/** envoy.type.matcher.v3.RegexMatcher → its pattern, checked to compile as a JavaScript RegExp. */
export function regexOf(m: ProtoMessage, path: string, ctx: ConfigContext): string {
  const pattern = str(m, 'regex');
  checkRegex(pattern, fieldPath(path, 'regex'), ctx);
  return pattern;
}

export function checkRegex(pattern: string, path: string, ctx: ConfigContext): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    ctx.issue(path, `regex does not compile in JavaScript: ${(err as Error).message}`);
  }
}

const DENOMINATORS: Readonly<Record<string, number>> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** envoy.type.v3.FractionalPercent → 0..1 (a numerator above the denominator means 100%). */
export function fraction(m: ProtoMessage | null, fallback: number): number {
  if (m === null) return fallback;
  const denominator = DENOMINATORS[enumName(m, 'denominator', 'HUNDRED')] ?? 100;
  return Math.min(1, (num(m, 'numerator') ?? 0) / denominator);
}

/** envoy.config.core.v3.RuntimeFractionalPercent (no runtime: its default_value). */
export function runtimeFraction(m: ProtoMessage | null, fallback: number): number {
  return m === null ? fallback : fraction(msg(m, 'default_value'), fallback);
}

/** Envoy's "0 disables" durations: absent → `fallback`, 0 → null (disabled). */
export function timeoutMs(m: ProtoMessage, field: string, fallback: number | null): number | null {
  const v = num(m, field);
  if (v === null) return fallback;
  return v === 0 ? null : v;
}
