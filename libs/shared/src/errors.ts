/**
 * Typed errors with stable codes (`WEFT_ERR_<AREA>_<WHAT>`), chained with `{ cause }`.
 * Edges (REST, gRPC, NATS, the proxy's rescue()) map `kind` to their own status vocabulary.
 */
export type WeftErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  | 'unauthenticated'
  | 'permission-denied'
  | 'unavailable'
  | 'deadline-exceeded'
  | 'internal';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `instance.ports.0.number`. */
  readonly path: string;
  readonly message: string;
}

export class WeftError extends Error {
  readonly code: string;
  readonly kind: WeftErrorKind;
  readonly issues: readonly FieldIssue[];

  constructor(
    code: string,
    kind: WeftErrorKind,
    message: string,
    options: { cause?: unknown; issues?: readonly FieldIssue[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.kind = kind;
    this.issues = options.issues ?? [];
  }

  toJSON(): { code: string; kind: WeftErrorKind; message: string; issues: readonly FieldIssue[] } {
    return { code: this.code, kind: this.kind, message: this.message, issues: this.issues };
  }
}

export function isWeftError(err: unknown): err is WeftError {
  return err instanceof WeftError;
}

/** HTTP status for an error kind (REST edges). */
export function httpStatusOf(kind: WeftErrorKind): number {
  switch (kind) {
    case 'invalid-argument':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'permission-denied':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'unavailable':
      return 503;
    case 'deadline-exceeded':
      return 504;
    default:
      return 500;
  }
}
