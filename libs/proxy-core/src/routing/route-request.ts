/**
 * What routing reads from a request. `headers` is Node's lower-cased header object
 * (IncomingMessage.headers or an HTTP/2 header object); pseudo-headers come from the fields.
 */
export interface RouteRequest {
  readonly method: string;
  readonly authority: string;
  /** The request target as received: path plus query string (`/a/b?x=1`). */
  readonly path: string;
  readonly scheme: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}
