import { Re2PatternError } from './re2-syntax';

/**
 * RE2 rewrite string (`\0`..`\9` groups, `\\` a backslash) → JS replacement string. Groups use the
 * two-digit `$0N` form so a following literal digit is never read as part of the group number.
 */
export function translateRe2Substitution(substitution: string, groupCount: number): string {
  let out = '';
  for (let i = 0; i < substitution.length; i++) {
    const c = substitution[i];
    if (c === '$') out += '$$';
    else if (c !== '\\') out += c;
    else {
      const d = substitution[++i];
      if (d === '\\') out += '\\';
      else if (d !== undefined && d >= '0' && d <= '9') {
        if (Number(d) > groupCount) throw new Re2PatternError(`substitution uses \\${d} but the pattern has ${groupCount} groups`);
        out += d === '0' ? '$&' : `$0${d}`;
      } else throw new Re2PatternError(`invalid substitution escape \\${d ?? ''}`);
    }
  }
  return out;
}
