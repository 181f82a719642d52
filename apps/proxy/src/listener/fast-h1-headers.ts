import type { IncomingHttpHeaders } from 'node:http';

/** Headers node:http keeps only the first of (IncomingMessage, joinDuplicateHeaders off). */
const FIRST_WINS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/**
 * The `headers` object of a request, built from the raw list by node:http's rules, so routes,
 * filters and trace headers see what they saw on the node:http path: lower-case names; repeated
 * set-cookie as an array, cookie joined with `; `, the FIRST_WINS ones first only, others joined with `, `.
 */
export function headersOf(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const prev = out[name];
    if (prev === undefined) {
      out[name] = name === 'set-cookie' ? [value] : value;
    } else if (name === 'set-cookie') {
      (prev as string[]).push(value);
    } else if (!FIRST_WINS.has(name)) {
      out[name] = `${prev as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  return out as IncomingHttpHeaders;
}

/** A request head as text again (handing a connection over to node:http replays it). */
export function headText(method: string, url: string, minor: number, raw: readonly string[]): string {
  let text = `${method} ${url} HTTP/1.${minor}\r\n`;
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${text}\r\n`;
}
