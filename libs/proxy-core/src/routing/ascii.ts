import { Buffer } from 'node:buffer';

/**
 * String helpers shared by the routing matchers. Envoy compares header values, paths and domains
 * as bytes and folds case for ASCII only (absl::EqualsIgnoreCase, AsciiStrToLower); these helpers do
 * the same without allocating.
 */

const UPPER_A = 65;
const UPPER_Z = 90;

export function hasAsciiUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) return true;
  }
  return false;
}

/** ASCII-only lower-casing; returns `s` itself (no allocation) when it has no upper-case letter. */
export function asciiLower(s: string): string {
  if (!hasAsciiUpper(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= UPPER_A && c <= UPPER_Z ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

/** Whether `s` has `lower` (already ASCII lower-case) at `at`, ignoring ASCII case. */
export function regionMatchesIgnoreCase(s: string, at: number, lower: string): boolean {
  if (at < 0 || at + lower.length > s.length) return false;
  for (let k = 0; k < lower.length; k++) {
    let c = s.charCodeAt(at + k);
    if (c >= UPPER_A && c <= UPPER_Z) c += 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** First index of `lower` in `s[from, end)` ignoring ASCII case, or -1. */
export function indexOfIgnoreCase(s: string, lower: string, from: number, end: number): number {
  for (let at = from; at + lower.length <= end; at++) {
    if (regionMatchesIgnoreCase(s, at, lower)) return at;
  }
  return -1;
}

/**
 * The form a configured string takes on the wire as Node sees it. Node decodes header values and the
 * request target as latin1 (one char per byte), while xDS strings arrive as Unicode text; Envoy
 * compares bytes. Encoding non-ASCII config strings as UTF-8 bytes, one char per byte, makes our
 * comparisons byte-for-byte like Envoy's, and header values we add are written as those same bytes.
 */
export function toWireString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'utf8').toString('latin1');
  }
  return s;
}
