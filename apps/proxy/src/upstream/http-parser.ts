/**
 * node's own llhttp binding, as node:http uses it (`_http_common` is a public module of node: no
 * deprecation warning). The HTTP/1.1 fast paths parse with it instead of wrapping every request in
 * IncomingMessage / undici objects.
 */
export interface HttpParserInstance {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  free(): void;
  remove?(): void;
  [key: number]: unknown;
}

interface HttpParserClass {
  new (): HttpParserInstance;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kOnExecute: number;
  readonly kLenientNone: number;
}

export const HTTPParser: HttpParserClass = (require('node:_http_common') as { HTTPParser: HttpParserClass }).HTTPParser;
