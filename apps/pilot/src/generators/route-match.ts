import type { HttpMatch, KeyedMatch, StringMatch } from '@weft/api';

/** Istio HTTPMatchRequest → envoy.config.route.v3.RouteMatch (all conditions ANDed). */
export function routeMatch(m: HttpMatch | null): Record<string, unknown> {
  const out: Record<string, unknown> = pathMatch(m?.uri ?? null);
  if (m === null) return out;
  if (m.ignoreUriCase) out.case_sensitive = { value: false };
  const headers: Record<string, unknown>[] = [];
  if (m.method !== null) headers.push(headerMatcher(':method', m.method, false));
  if (m.authority !== null) headers.push(headerMatcher(':authority', m.authority, false));
  if (m.scheme !== null) headers.push(headerMatcher(':scheme', m.scheme, false));
  for (const [name, match] of Object.entries(m.headers)) headers.push(headerMatcher(name, match, false));
  for (const [name, match] of Object.entries(m.withoutHeaders)) headers.push(headerMatcher(name, match, true));
  if (headers.length > 0) out.headers = headers;
  const query = Object.entries(m.queryParams).map(([name, match]) => queryMatcher(name, match));
  if (query.length > 0) out.query_parameters = query;
  return out;
}

function pathMatch(uri: StringMatch | null): Record<string, unknown> {
  if (uri === null) return { prefix: '/' };
  if (uri.kind === 'exact') return { path: uri.value };
  if (uri.kind === 'prefix') return { prefix: uri.value };
  return { safe_regex: { regex: uri.value } };
}

function headerMatcher(name: string, match: KeyedMatch, invert: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name };
  if (match.kind === 'present') out.present_match = true;
  else out.string_match = stringMatcher(match);
  if (invert) out.invert_match = true;
  return out;
}

function queryMatcher(name: string, match: KeyedMatch): Record<string, unknown> {
  return match.kind === 'present' ? { name, present_match: true } : { name, string_match: stringMatcher(match) };
}

/** Istio StringMatch → envoy.type.matcher.v3.StringMatcher (regex: RE2 on the whole value). */
export function stringMatcher(match: StringMatch): Record<string, unknown> {
  if (match.kind === 'exact') return { exact: match.value };
  if (match.kind === 'prefix') return { prefix: match.value };
  return { safe_regex: { regex: match.value } };
}
