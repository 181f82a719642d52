/**
 * The one error `compileRouteConfig` throws: the route configuration cannot be served as given.
 * `path` is the dotted path of the offending field in the RouteConfigModel
 * (e.g. `virtualHosts.0.routes.2.match.path.value`); the message also names the route and virtual
 * host. The xDS layer turns it into a NACK and keeps the last good table.
 */
export class RouteCompileError extends Error {
  readonly code: 'WEFT_ERR_ROUTE_COMPILE';
  readonly kind: 'invalid-argument';
  /** Dotted path of the offending field inside the RouteConfigModel. */
  readonly path: string;

  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RouteCompileError';
    this.code = 'WEFT_ERR_ROUTE_COMPILE';
    this.kind = 'invalid-argument';
    this.path = path;
  }

  toJSON(): { code: string; kind: string; path: string; message: string } {
    return { code: this.code, kind: this.kind, path: this.path, message: this.message };
  }
}
