import { Buffer } from 'node:buffer';

/** Shared pieces of the RE2 → JavaScript translation: the error, flags, tables and char helpers. */
export class Re2PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2PatternError';
  }
}

export interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

export const NO_FLAGS: Flags = { i: false, m: false, s: false, U: false };
export const MAX_REPEAT = 1000;
/** Characters that must be escaped to stand for themselves in JS RegExp source. */
const JS_SYNTAX = '\\^$.*+?()[]{}|/-';
export const RE2_SPACE = '\\t\\n\\f\\r ';
export const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\x0b\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export function hex2(n: number): string {
  return '\\x' + (n < 16 ? '0' : '') + n.toString(16);
}

export function isAsciiLetter(cp: number): boolean {
  return (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
}

export function otherCase(cp: number): number {
  return cp <= 90 ? cp + 32 : cp - 32;
}

/** A code point as a JS atom matching its UTF-8 bytes (latin1 view). */
export function utf8Atom(cp: number): string {
  let s = '';
  for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) s += hex2(b);
  return s;
}

export function asciiChar(cp: number, inClass: boolean): string {
  if (cp < 0x20 || cp === 0x7f) return hex2(cp);
  const c = String.fromCharCode(cp);
  if (JS_SYNTAX.includes(c) && (inClass || c !== '-')) return '\\' + c;
  return c;
}
