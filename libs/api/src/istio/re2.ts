/**
 * Istio's regexes are RE2 (Envoy `safe_regex`, whole-string match). Weft's proxy runs them on
 * JavaScript's engine, so a rule may only use the RE2 syntax both engines read the same way:
 * no lookaround or backreferences (RE2 lacks them), no RE2-only syntax JavaScript cannot compile
 * (`\z`, `\Q…\E`, `[[:alpha:]]`, `\pL`, inline flags other than a leading `(?i)`/`(?s)`/`(?m)`).
 * `(?P<name>…)` groups and escaped punctuation (`\-`, `\:`) are translated.
 */

const MAX_LENGTH = 1024;
/** Characters JavaScript (unicode mode) lets you escape with a backslash. */
const JS_ESCAPABLE = '^$\\.*+?()[]{}|/';
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/** Why the pattern cannot be used in a rule, or null when it can. */
export function re2Problem(pattern: string): string | null {
  if (pattern.length > MAX_LENGTH) return `regex is too large, max length allowed is ${MAX_LENGTH}`;
  const construct = unsupportedConstruct(pattern);
  if (construct !== null) return construct;
  try {
    const { source, flags } = toJavaScript(pattern);
    new RegExp(source, flags);
    return null;
  } catch (err) {
    return `regex ${JSON.stringify(pattern)} is not supported: ${(err as Error).message}`;
  }
}

/**
 * Compiles a rule regex for JavaScript. `anchored` (the default) wraps it as `^(?:…)$`, because RE2
 * matches in Envoy and Istio are whole-string matches. Throws on a pattern `re2Problem` rejects.
 */
export function compileRe2(pattern: string, anchored = true): RegExp {
  const problem = re2Problem(pattern);
  if (problem !== null) throw new Error(problem);
  const { source, flags } = toJavaScript(pattern);
  return new RegExp(anchored ? `^(?:${source})$` : source, flags);
}

function unsupportedConstruct(p: string): string | null {
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return 'backreferences (\\1) are not supported: Istio regexes are RE2';
      if (next === 'k' && p[i + 2] === '<') return 'named backreferences (\\k<name>) are not supported: Istio regexes are RE2';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++; // a leading ']' is literal in RE2
    } else if (c === '(' && p[i + 1] === '?') {
      const reason = groupProblem(p.slice(i + 2, i + 4));
      if (reason !== null) return reason;
    }
  }
  return null;
}

function groupProblem(head: string): string | null {
  if (head.startsWith('=') || head.startsWith('!')) return 'lookahead ((?=…), (?!…)) is not supported: Istio regexes are RE2';
  if (head === '<=' || head === '<!') return 'lookbehind ((?<=…), (?<!…)) is not supported: Istio regexes are RE2';
  if (head.startsWith('>')) return 'atomic groups ((?>…)) are not supported: Istio regexes are RE2';
  return null;
}

function toJavaScript(pattern: string): { source: string; flags: string } {
  const lead = /^\(\?([ims]+)\)/.exec(pattern);
  const flags = new Set(['u', ...(lead?.[1] ?? '')]);
  let source = '';
  let inClass = false;
  for (let i = lead === null ? 0 : lead[0].length; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1] as string;
      source += ASCII_PUNCTUATION.test(next) && !JS_ESCAPABLE.includes(next) ? hexEscape(next) : c + next;
      i++;
    } else if (inClass) {
      source += c;
      inClass = c !== ']';
    } else if (c === '[') {
      // RE2 reads a ']' right after '[' or '[^' as a literal; JavaScript needs it escaped.
      const negated = pattern[i + 1] === '^';
      const literalBracket = pattern[i + (negated ? 2 : 1)] === ']';
      source += `[${negated ? '^' : ''}${literalBracket ? '\\]' : ''}`;
      i += (negated ? 1 : 0) + (literalBracket ? 1 : 0);
      inClass = true;
    } else if (c === '(' && pattern.startsWith('?P<', i + 1)) {
      source += '(?<';
      i += 3;
    } else {
      source += c;
    }
  }
  return { source, flags: [...flags].join('') };
}

function hexEscape(ch: string): string {
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
