import type { StringMatcherModel } from '../model/config-model';
import { asciiLower, indexOfIgnoreCase, regionMatchesIgnoreCase, toWireString } from './ascii';
import { compileFullMatchRe2 } from './re2-regexp';

/**
 * Envoy's StringMatcher (envoy.type.matcher.v3.StringMatcher), compiled. `ignoreCase` folds ASCII
 * only and, as in Envoy, has no effect on `regex`, which must match the whole input.
 * Matching works on a range of a larger string so query parameter values need no slicing.
 */
export const STRING_EXACT = 0;
export const STRING_PREFIX = 1;
export const STRING_SUFFIX = 2;
export const STRING_CONTAINS = 3;
export const STRING_REGEX = 4;

const KIND_CODES: Readonly<Record<StringMatcherModel['kind'], number>> = {
  exact: STRING_EXACT,
  prefix: STRING_PREFIX,
  suffix: STRING_SUFFIX,
  contains: STRING_CONTAINS,
  regex: STRING_REGEX,
};

export class CompiledStringMatcher {
  readonly kind: number;
  /** Wire form of the configured value; ASCII lower-cased when `ignoreCase`. */
  readonly value: string;
  readonly ignoreCase: boolean;
  readonly regex: RegExp | null;

  /** Throws Re2PatternError for a regex that cannot be compiled. */
  constructor(model: StringMatcherModel) {
    this.kind = KIND_CODES[model.kind];
    this.ignoreCase = model.ignoreCase && this.kind !== STRING_REGEX;
    const wire = toWireString(model.value);
    this.value = this.ignoreCase ? asciiLower(wire) : wire;
    this.regex = this.kind === STRING_REGEX ? compileFullMatchRe2(model.value) : null;
  }
}

export function matchString(m: CompiledStringMatcher, s: string): boolean {
  return matchStringRange(m, s, 0, s.length);
}

/** Matches `s[start, end)`. Allocates only for a regex on a proper sub-range. */
export function matchStringRange(m: CompiledStringMatcher, s: string, start: number, end: number): boolean {
  const v = m.value;
  const len = end - start;
  switch (m.kind) {
    case STRING_EXACT:
      return len === v.length && startsAt(m, s, start);
    case STRING_PREFIX:
      return len >= v.length && startsAt(m, s, start);
    case STRING_SUFFIX:
      return len >= v.length && startsAt(m, s, end - v.length);
    case STRING_CONTAINS:
      return m.ignoreCase ? indexOfIgnoreCase(s, v, start, end) !== -1 : containsIn(s, v, start, end);
    default:
      return (m.regex as RegExp).test(start === 0 && end === s.length ? s : s.slice(start, end));
  }
}

function startsAt(m: CompiledStringMatcher, s: string, at: number): boolean {
  return m.ignoreCase ? regionMatchesIgnoreCase(s, at, m.value) : s.startsWith(m.value, at);
}

function containsIn(s: string, v: string, start: number, end: number): boolean {
  const at = s.indexOf(v, start);
  return at !== -1 && at + v.length <= end;
}
