import { WeftError } from '@weft/shared';

/** Stable codes of the xDS server's errors (the gRPC edge maps `kind` to a status code). */
export const XDS_ERROR = {
  noNode: 'WEFT_ERR_XDS_NO_NODE',
  badRequest: 'WEFT_ERR_XDS_BAD_REQUEST',
  generate: 'WEFT_ERR_XDS_GENERATE',
  shutdown: 'WEFT_ERR_XDS_SHUTDOWN',
} as const;

export function noNodeError(detail: string): WeftError {
  return new WeftError(XDS_ERROR.noNode, 'invalid-argument', `the first xDS request must carry a node: ${detail}`);
}

export function generateError(typeUrl: string, cause: unknown): WeftError {
  return new WeftError(XDS_ERROR.generate, 'internal', `could not build ${typeUrl} resources`, { cause });
}

export function shutdownError(): WeftError {
  return new WeftError(XDS_ERROR.shutdown, 'unavailable', 'pilot is shutting down: reconnect to another replica');
}
