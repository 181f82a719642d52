import type { RouteMatchModel } from '../model/config-model';
import { asciiLower, regionMatchesIgnoreCase, toWireString } from './ascii';
import { compileFullMatchRe2 } from './re2-regexp';

/**
 * The path part of Envoy's RouteMatch, compiled. All kinds look at the path without query string
 * or fragment (Envoy's PathUtil::removeQueryAndFragment: up to the first '?' or '#'):
 * - prefix: the path starts with the value;
 * - path: the path equals the value;
 * - safe_regex: the regex matches the whole path; case_sensitive is ignored (as in Envoy);
 * - path_separated_prefix: the path equals the value or continues with '/' after it
 *   (`/api/dev` matches `/api/dev`, `/api/dev/x`, `/api/dev?q` but not `/api/developer`).
 * `case_sensitive: false` folds ASCII case for the non-regex kinds.
 */
export const PATH_PREFIX = 0;
export const PATH_EXACT = 1;
export const PATH_REGEX = 2;
export const PATH_SEPARATED_PREFIX = 3;

const KIND_CODES: Readonly<Record<RouteMatchModel['path']['kind'], number>> = {
  prefix: PATH_PREFIX,
  path: PATH_EXACT,
  safe_regex: PATH_REGEX,
  path_separated_prefix: PATH_SEPARATED_PREFIX,
};

export class CompiledPathMatcher {
  readonly kind: number;
  /** Wire form of the value (lower-cased when matching ignores case); '' for safe_regex. */
  readonly value: string;
  readonly ignoreCase: boolean;
  readonly regex: RegExp | null;

  /** Throws Re2PatternError for a regex that cannot be compiled. */
  constructor(match: RouteMatchModel) {
    this.kind = KIND_CODES[match.path.kind];
    this.regex = this.kind === PATH_REGEX ? compileFullMatchRe2(match.path.value) : null;
    this.ignoreCase = !match.caseSensitive && this.kind !== PATH_REGEX;
    const wire = this.kind === PATH_REGEX ? '' : toWireString(match.path.value);
    this.value = this.ignoreCase ? asciiLower(wire) : wire;
  }
}

/** End of the path proper: the first '?' or '#', else the length. */
export function pathEndOf(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 || c === 35) return i;
  }
  return path.length;
}

/** For the non-regex kinds: whether `path[0, pathEnd)` matches. */
export function matchLiteralPath(m: CompiledPathMatcher, path: string, pathEnd: number): boolean {
  const n = m.value.length;
  if (pathEnd < n) return false;
  if (m.kind === PATH_EXACT && pathEnd !== n) return false;
  if (m.kind === PATH_SEPARATED_PREFIX && pathEnd !== n && path.charCodeAt(n) !== 47) return false;
  return m.ignoreCase ? regionMatchesIgnoreCase(path, 0, m.value) : path.startsWith(m.value);
}

/** Number of leading characters of the request path that the route matched (for prefix_rewrite). */
export function matchedLength(m: CompiledPathMatcher, pathEnd: number): number {
  return m.kind === PATH_REGEX ? pathEnd : m.value.length;
}
