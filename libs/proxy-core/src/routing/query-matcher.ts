import type { QueryParameterMatcherModel } from '../model/config-model';
import { toWireString } from './ascii';
import { CompiledStringMatcher, matchString, matchStringRange } from './string-matcher';

/**
 * Envoy's QueryParameterMatcher, compiled. As in Envoy (QueryParamsMulti::parseQueryString): the
 * query is everything after the first '?', split on '&'; a parameter without '=' has the value '';
 * only the FIRST occurrence of a name is matched; names and values are compared as sent, NOT
 * percent-decoded. With `decode` (a Weft option, not Envoy behaviour) `%XX` escapes in names and
 * values are decoded to bytes before comparing; '+' stays '+'.
 * A matcher without a string match is a presence test.
 */
export class CompiledQueryMatcher {
  readonly name: string;
  readonly matcher: CompiledStringMatcher | null;

  /** Throws Re2PatternError for a regex that cannot be compiled. */
  constructor(model: QueryParameterMatcherModel) {
    this.name = toWireString(model.name);
    this.matcher = model.match === null ? null : new CompiledStringMatcher(model.match);
  }
}

/** All matchers must match. `queryStart` is the index of the first '?' in `path`, or -1. */
export function matchQueryParameters(
  matchers: readonly CompiledQueryMatcher[],
  path: string,
  queryStart: number,
  decode: boolean,
): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i];
    const valueStart = queryStart === -1 ? -1 : findValue(path, queryStart + 1, m.name, decode);
    if (valueStart === -1) return false;
    if (m.matcher === null) continue;
    const amp = path.indexOf('&', valueStart);
    const valueEnd = amp === -1 ? path.length : amp;
    const ok = decode && hasEscape(path, valueStart, valueEnd)
      ? matchString(m.matcher, percentDecode(path, valueStart, valueEnd))
      : matchStringRange(m.matcher, path, valueStart, valueEnd);
    if (!ok) return false;
  }
  return true;
}

/** Start index of the value of the first parameter called `name`, or -1. */
function findValue(path: string, from: number, name: string, decode: boolean): number {
  let start = from;
  while (start <= path.length) {
    const amp = path.indexOf('&', start);
    const end = amp === -1 ? path.length : amp;
    const eq = path.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameMatches(path, start, nameEnd, name, decode)) return nameEnd === end ? end : nameEnd + 1;
    if (amp === -1) return -1;
    start = amp + 1;
  }
  return -1;
}

function nameMatches(path: string, start: number, end: number, name: string, decode: boolean): boolean {
  if (decode && hasEscape(path, start, end)) return percentDecode(path, start, end) === name;
  return end - start === name.length && path.startsWith(name, start);
}

function hasEscape(s: string, start: number, end: number): boolean {
  const at = s.indexOf('%', start);
  return at !== -1 && at < end;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** `%XX` → the byte as one latin1 char (the wire form used for configured values); bad escapes stay. */
export function percentDecode(s: string, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const hi = s.charCodeAt(i) === 37 && i + 2 < end ? hexValue(s.charCodeAt(i + 1)) : -1;
    const lo = hi === -1 ? -1 : hexValue(s.charCodeAt(i + 2));
    if (lo === -1) out += s[i];
    else {
      out += String.fromCharCode(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}
