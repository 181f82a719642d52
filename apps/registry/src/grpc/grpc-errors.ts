import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { isWeftError, type WeftErrorKind } from '@weft/shared';

/** gRPC status of an error kind (the gRPC edge's counterpart of httpStatusOf). */
export function grpcStatusOf(kind: WeftErrorKind): status {
  switch (kind) {
    case 'invalid-argument':
      return status.INVALID_ARGUMENT;
    case 'not-found':
      return status.NOT_FOUND;
    case 'conflict':
      // The only conflict is "managed by another source": the state forbids the change.
      return status.FAILED_PRECONDITION;
    case 'unauthenticated':
      return status.UNAUTHENTICATED;
    case 'permission-denied':
      return status.PERMISSION_DENIED;
    case 'unavailable':
      return status.UNAVAILABLE;
    case 'deadline-exceeded':
      return status.DEADLINE_EXCEEDED;
    default:
      return status.INTERNAL;
  }
}

export interface MappedError {
  readonly kind: WeftErrorKind;
  readonly response: ServerErrorResponse;
}

/**
 * The status a client sees for an error. Typed errors keep their message (which names the field
 * for invalid arguments) and add trailing metadata `weft-error-code` and, for invalid arguments,
 * `weft-error-fields` (comma-separated paths). Anything else is INTERNAL with a generic message.
 */
export function toGrpcError(err: unknown): MappedError {
  const metadata = new Metadata();
  if (!isWeftError(err) || err.kind === 'internal') {
    metadata.set('weft-error-code', 'WEFT_ERR_INTERNAL');
    return { kind: 'internal', response: { name: 'Error', message: 'internal error', code: status.INTERNAL, details: 'internal error', metadata } };
  }
  metadata.set('weft-error-code', err.code);
  if (err.issues.length > 0) metadata.set('weft-error-fields', err.issues.map((i) => i.path).join(','));
  const code = grpcStatusOf(err.kind);
  return { kind: err.kind, response: { name: 'Error', message: err.message, code, details: err.message, metadata } };
}

export function grpcError(code: status, details: string): ServerErrorResponse {
  return { name: 'Error', message: details, code, details };
}
