import {
  asciiChar,
  type Flags,
  isAsciiLetter,
  MAX_REPEAT,
  NO_FLAGS,
  otherCase,
  POSIX_CLASSES,
  RE2_SPACE,
  Re2PatternError,
  utf8Atom,
} from './re2-syntax';

/**
 * Translates an RE2 pattern (Envoy `safe_regex`, google_re2) into JavaScript RegExp source with the
 * same meaning on the strings Node hands us (latin1: one char per byte).
 *
 * The output never needs RegExp flags: RE2's `(?i)` is expanded into character classes, `.` into
 * `[^\n]` / `[\s\S]`, `\s` into RE2's ASCII set. No `u` or `i` flag and no lookaround (except for the
 * rare `(?m)` anchors) keeps every pattern eligible for V8's linear-time fallback engine
 * (`--enable-experimental-regexp-engine-on-excessive-backtracks`): RE2 never backtracks, JS does.
 *
 * Rejected with Re2PatternError (RE2 rejects them too): lookaround, backreferences, possessive or
 * doubled repetition, repetition counts over 1000. Rejected because they cannot be made exact over
 * latin1 byte strings: `\p{..}`/`\pX` Unicode classes, `\C`, non-ASCII characters inside `[...]`,
 * `\S` inside `[...]`. Non-ASCII literals outside classes become their UTF-8 byte sequences.
 * Known gaps: `.` and negated classes consume one byte of a multi-byte character where RE2 consumes
 * the whole character (only counts like `^.{3}$` on non-ASCII input differ); `(?i)` folds one-to-one
 * lower/upper pairs only (not, say, the Kelvin sign K for `k`).
 */
export interface Re2Translation {
  readonly source: string;
  readonly groupCount: number;
}

export function translateRe2(pattern: string): Re2Translation {
  const t = new Re2Translator(pattern);
  t.run();
  return { source: t.out, groupCount: t.groups };
}

class Re2Translator {
  out = '';
  groups = 0;
  private i = 0;
  private flags: Flags = NO_FLAGS;
  private readonly stack: Flags[] = [];
  /** Whether the last item can take a repetition operator (RE2: "missing argument" otherwise). */
  private canRepeat = false;

  constructor(private readonly p: string) {}

  run(): void {
    while (this.i < this.p.length) {
      const c = this.p[this.i];
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.braceRepeat() !== null)) this.repeat(c);
      else this.atom(c);
    }
    if (this.stack.length > 0) throw new Re2PatternError('missing closing )');
  }

  private atom(c: string): void {
    this.canRepeat = true;
    if (c === '\\') this.escape();
    else if (c === '[') this.charClass();
    else if (c === '(') this.openGroup();
    else if (c === ')') this.closeGroup();
    else if (c === '.') this.emit(this.flags.s ? '[\\s\\S]' : '[^\\n]', 1, true);
    else if (c === '^') this.emit(this.flags.m ? '(?<![^\\n])' : '^', 1, false);
    else if (c === '$') this.emit(this.flags.m ? '(?![^\\n])' : '$', 1, false);
    else if (c === '|') this.emit('|', 1, false);
    else {
      const cp = this.p.codePointAt(this.i) as number;
      this.i += cp > 0xffff ? 2 : 1;
      this.literal(cp);
    }
  }

  private emit(text: string, advance: number, canRepeat: boolean): void {
    this.out += text;
    this.i += advance;
    this.canRepeat = canRepeat;
  }

  private literal(cp: number): void {
    if (cp < 0x80) {
      this.out += this.flags.i && isAsciiLetter(cp)
        ? `[${String.fromCharCode(cp)}${String.fromCharCode(otherCase(cp))}]`
        : asciiChar(cp, false);
      return;
    }
    const c = String.fromCodePoint(cp);
    const variants = new Set([cp]);
    if (this.flags.i) {
      for (const v of [c.toLowerCase(), c.toUpperCase()]) {
        const vcp = v.codePointAt(0) as number;
        if (v.length === String.fromCodePoint(vcp).length) variants.add(vcp);
      }
    }
    this.out += `(?:${[...variants].map(utf8Atom).join('|')})`;
  }

  private repeat(c: string): void {
    if (!this.canRepeat) throw new Re2PatternError(`repetition operator without an argument at offset ${this.i}`);
    const op = c === '{' ? (this.braceRepeat() as string) : c;
    this.out += op;
    this.i += op.length;
    const lazy = this.p[this.i] === '?';
    if (lazy) this.i++;
    if (lazy !== this.flags.U) this.out += '?';
    this.canRepeat = false;
  }

  /** `{n}`, `{n,}` or `{n,m}` at the cursor, or null when the brace is a literal (as in RE2). */
  private braceRepeat(): string | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i, this.i + 16));
    if (m === null) return null;
    const min = Number(m[1]);
    // `{n,}` is unbounded above; only the bounds given need checking.
    const max = m[3] ? Number(m[3]) : min;
    if (min > MAX_REPEAT || max > MAX_REPEAT) throw new Re2PatternError(`repetition count over ${MAX_REPEAT}: ${m[0]}`);
    if (max < min) throw new Re2PatternError(`bad repetition range ${m[0]}`);
    return m[0];
  }

  private escape(): void {
    const d = this.p[this.i + 1];
    if (d === undefined) throw new Re2PatternError('trailing backslash');
    if (d === 'A') this.emit('^', 2, false);
    else if (d === 'z') this.emit('$', 2, false);
    else if (d === 'b' || d === 'B') this.emit('\\' + d, 2, false);
    else if ('dDwW'.includes(d)) this.emit('\\' + d, 2, true);
    else if (d === 's') this.emit(`[${RE2_SPACE}]`, 2, true);
    else if (d === 'S') this.emit(`[^${RE2_SPACE}]`, 2, true);
    else {
      this.i += 2;
      if (d === 'Q') this.quoted();
      else this.literal(this.escapedCodePoint(d));
    }
  }

  /** The code point of a character escape (`\x41`, `\101`, `\n`, `\.`), cursor just past `\d`. */
  private escapedCodePoint(d: string): number {
    const controls: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (controls[d] !== undefined) return controls[d];
    if (d === 'x') return this.hexEscape();
    if (d >= '0' && d <= '7') return this.octalEscape(d);
    if (d === 'p' || d === 'P') throw new Re2PatternError(`Unicode class \\${d} is not supported`);
    if (d === 'C') throw new Re2PatternError('\\C (any byte) is not supported');
    const cp = d.charCodeAt(0);
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(d)) return cp;
    throw new Re2PatternError(`invalid escape \\${d}`);
  }

  private hexEscape(): number {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.p.slice(this.i, this.i + 8));
    const plain = /^[0-9A-Fa-f]{2}/.exec(this.p.slice(this.i, this.i + 2));
    const m = braced ?? plain;
    if (m === null) throw new Re2PatternError('invalid \\x escape');
    this.i += m[0].length;
    const cp = parseInt(braced ? braced[1] : m[0], 16);
    if (cp > 0x10ffff) throw new Re2PatternError('\\x escape out of range');
    return cp;
  }

  private octalEscape(first: string): number {
    const isOct = (k: number): boolean => this.p[k] >= '0' && this.p[k] <= '7';
    if (first !== '0' && !isOct(this.i)) throw new Re2PatternError(`backreference \\${first} is not supported`);
    let cp = Number(first);
    for (let n = 0; n < 2 && isOct(this.i); n++) cp = cp * 8 + Number(this.p[this.i++]);
    return cp;
  }

  private quoted(): void {
    const end = this.p.indexOf('\\E', this.i);
    const text = this.p.slice(this.i, end === -1 ? this.p.length : end);
    this.i = end === -1 ? this.p.length : end + 2;
    for (const ch of text) this.literal(ch.codePointAt(0) as number);
    this.canRepeat = text.length > 0;
  }

  private openGroup(): void {
    const rest = this.p.slice(this.i, this.i + 4);
    if (!rest.startsWith('(?')) {
      this.enterGroup('(');
      this.groups++;
      this.i++;
    } else if (rest.startsWith('(?P<') || (rest.startsWith('(?<') && rest[3] !== '=' && rest[3] !== '!')) {
      this.namedGroup(rest.startsWith('(?P<') ? 4 : 3);
    } else if (/^\(\?(=|!|<=|<!|P=|P>)/.test(rest)) {
      throw new Re2PatternError(`lookaround and backreferences are not supported by RE2: ${rest}`);
    } else {
      this.flagGroup();
    }
  }

  private namedGroup(skip: number): void {
    const close = this.p.indexOf('>', this.i + skip);
    const name = close === -1 ? '' : this.p.slice(this.i + skip, close);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Re2PatternError(`invalid capture group name "${name}"`);
    this.enterGroup(`(?<${name}>`);
    this.groups++;
    this.i = close + 1;
  }

  /** `(?flags)` sets flags to the end of the enclosing group; `(?flags:re)` opens a group. */
  private flagGroup(): void {
    const m = /^\(\?(-?)([imsU]*)(?:-([imsU]*))?([:)])/.exec(this.p.slice(this.i, this.i + 16));
    if (m === null || (m[1] === '-' && m[3] !== undefined) || `${m[2]}${m[3] ?? ''}` === '') {
      throw new Re2PatternError(`invalid or unsupported group syntax at offset ${this.i}`);
    }
    const on = m[1] === '-' ? '' : m[2];
    const off = m[1] === '-' ? m[2] : (m[3] ?? '');
    const next: Record<keyof Flags, boolean> = { ...this.flags };
    for (const f of on) next[f as keyof Flags] = true;
    for (const f of off) next[f as keyof Flags] = false;
    this.i += m[0].length;
    if (m[4] === ':') this.enterGroup('(?:');
    this.flags = next;
    this.canRepeat = false;
  }

  private enterGroup(open: string): void {
    this.stack.push(this.flags);
    this.out += open;
    this.canRepeat = false;
  }

  private closeGroup(): void {
    const outer = this.stack.pop();
    if (outer === undefined) throw new Re2PatternError(`unmatched ) at offset ${this.i}`);
    this.flags = outer;
    this.out += ')';
    this.i++;
  }

  private charClass(): void {
    this.i++;
    let body = '';
    let extra = '';
    if (this.p[this.i] === '^') {
      body += '^';
      this.i++;
    }
    for (let first = true; ; first = false) {
      const c = this.p[this.i];
      if (c === undefined) throw new Re2PatternError('missing closing ]');
      if (c === ']' && !first) break;
      const item = this.p.startsWith('[:', this.i) ? this.posixClass() : this.classItem();
      body += item.text;
      extra += item.folded;
    }
    this.i++;
    this.out += `[${body}${extra}]`;
  }

  private posixClass(): { text: string; folded: string } {
    const m = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i, this.i + 12));
    const ranges = m === null ? undefined : POSIX_CLASSES[m[2]];
    if (m === null || ranges === undefined) throw new Re2PatternError(`invalid POSIX class at offset ${this.i}`);
    if (m[1] === '^') throw new Re2PatternError(`negated POSIX class ${m[0]} is not supported`);
    this.i += m[0].length;
    const folded = this.flags.i && (m[2] === 'upper' || m[2] === 'lower') ? 'A-Za-z' : '';
    return { text: ranges, folded };
  }

  /** One class member: a char, a range `a-z`, or a class escape like `\d`. */
  private classItem(): { text: string; folded: string } {
    const lo = this.classAtom();
    if (typeof lo === 'string') return { text: lo, folded: '' };
    if (this.p[this.i] !== '-' || this.p[this.i + 1] === ']' || this.p[this.i + 1] === undefined) {
      return { text: asciiChar(lo, true), folded: this.foldRange(lo, lo) };
    }
    this.i++;
    const hi = this.classAtom();
    if (typeof hi === 'string' || hi < lo) throw new Re2PatternError(`bad character class range at offset ${this.i}`);
    return { text: `${asciiChar(lo, true)}-${asciiChar(hi, true)}`, folded: this.foldRange(lo, hi) };
  }

  /** A code point, or the JS text of a class escape such as `\d`. */
  private classAtom(): number | string {
    let cp: number;
    if (this.p[this.i] === '\\') {
      const d = this.p[this.i + 1] ?? '';
      this.i += 2;
      if ('dDwW'.includes(d) && d !== '') return '\\' + d;
      if (d === 's') return RE2_SPACE;
      if (d === 'S' || d === 'Q' || d === 'b') throw new Re2PatternError(`\\${d} inside [...] is not supported`);
      cp = this.escapedCodePoint(d);
    } else {
      cp = this.p.codePointAt(this.i) as number;
      this.i += cp > 0xffff ? 2 : 1;
    }
    if (cp >= 0x80) throw new Re2PatternError('non-ASCII characters inside [...] are not supported');
    return cp;
  }

  /** Under (?i): the other-case counterpart of the letters in [lo, hi]. */
  private foldRange(lo: number, hi: number): string {
    if (!this.flags.i) return '';
    let folded = '';
    for (const [a, z] of [[65, 90], [97, 122]]) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, z);
      if (from <= to) folded += `${String.fromCharCode(otherCase(from))}-${String.fromCharCode(otherCase(to))}`;
    }
    return folded;
  }
}
