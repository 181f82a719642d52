import { Re2PatternError } from './re2-syntax';
import { translateRe2 } from './re2-translate';

/**
 * Compiled forms of RE2 patterns. Envoy's safe_regex matchers (path, header, query parameter) are
 * full matches (RE2::FullMatch); regex_rewrite replaces every non-overlapping match
 * (RE2::GlobalReplace). Both throw Re2PatternError for patterns we cannot run faithfully.
 */

/** A RegExp that tests whether the whole input matches `pattern`. */
export function compileFullMatchRe2(pattern: string): RegExp {
  const { source } = translateRe2(pattern);
  return construct(`^(?:${source})$`, '');
}

export interface GlobalRe2 {
  /** Global RegExp: use only with String.prototype.replace, which resets lastIndex itself. */
  readonly regex: RegExp;
  readonly groupCount: number;
}

/** A global RegExp for RE2::GlobalReplace-style substitution (pair with translateRe2Substitution). */
export function compileGlobalRe2(pattern: string): GlobalRe2 {
  const { source, groupCount } = translateRe2(pattern);
  return { regex: construct(source, 'g'), groupCount };
}

function construct(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Re2PatternError(`not a valid pattern (${(err as Error).message})`);
  }
}
