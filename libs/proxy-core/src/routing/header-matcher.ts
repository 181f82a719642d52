import type { HeaderMatcherModel } from '../model/config-model';
import { asciiLower } from './ascii';
import type { RouteRequest } from './route-request';
import { CompiledStringMatcher, matchString } from './string-matcher';

/**
 * Envoy's HeaderMatcher (HeaderUtility::matchHeaders), compiled:
 * - several values of one header are joined with ',' before matching;
 * - a missing header (unless treat_missing_header_as_empty) matches only `present_match: false`,
 *   or, when inverted, only `present_match: true`; an inverted value matcher does NOT match a
 *   missing header;
 * - otherwise the result of the value/presence test is XOR-ed with `invert_match`.
 * `:method`, `:authority`, `:path` (with query) and `:scheme` read the request's fields.
 */
const HEADER_PLAIN = 0;
const HEADER_METHOD = 1;
const HEADER_AUTHORITY = 2;
const HEADER_PATH = 3;
const HEADER_SCHEME = 4;

const PSEUDO: Readonly<Record<string, number>> = {
  ':method': HEADER_METHOD,
  ':authority': HEADER_AUTHORITY,
  ':path': HEADER_PATH,
  ':scheme': HEADER_SCHEME,
};

export class CompiledHeaderMatcher {
  readonly name: string;
  readonly source: number;
  /** null: a presence test whose expected outcome is `present`. */
  readonly matcher: CompiledStringMatcher | null;
  readonly present: boolean;
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;

  /** Throws Re2PatternError for a regex that cannot be compiled. */
  constructor(model: HeaderMatcherModel) {
    this.name = asciiLower(model.name);
    this.source = PSEUDO[this.name] ?? HEADER_PLAIN;
    this.matcher = model.match === null ? null : new CompiledStringMatcher(model.match);
    this.present = model.match === null ? model.presentMatch : true;
    this.invert = model.invert;
    this.treatMissingAsEmpty = model.treatMissingAsEmpty;
  }
}

export function matchHeaders(matchers: readonly CompiledHeaderMatcher[], req: RouteRequest): boolean {
  for (let i = 0; i < matchers.length; i++) {
    if (!matchHeader(matchers[i], req)) return false;
  }
  return true;
}

export function matchHeader(m: CompiledHeaderMatcher, req: RouteRequest): boolean {
  let value = headerValue(m, req);
  if (value === null) {
    if (!m.treatMissingAsEmpty) return m.matcher === null && m.present === m.invert;
    value = '';
  }
  const matched = m.matcher === null ? m.present : matchString(m.matcher, value);
  return matched !== m.invert;
}

/** The header's value, several values joined with ',' (Envoy's separator), or null when absent. */
function headerValue(m: CompiledHeaderMatcher, req: RouteRequest): string | null {
  switch (m.source) {
    case HEADER_METHOD:
      return req.method;
    case HEADER_AUTHORITY:
      return req.authority;
    case HEADER_PATH:
      return req.path;
    case HEADER_SCHEME:
      return req.scheme;
    default: {
      const v = req.headers[m.name];
      if (v === undefined) return null;
      if (typeof v === 'string') return v;
      return v.length === 0 ? null : v.length === 1 ? v[0] : v.join(',');
    }
  }
}
