import { HttpException } from '@nestjs/common';
import { httpStatusOf, isWeftError, type WeftErrorKind } from '@weft/shared';
import type { RestErrorBody } from './rest-schemas';

/**
 * How any error thrown while serving a REST call is answered: WeftError by its kind, HTTP errors from
 * fastify or Nest (malformed JSON 400, body too large 413, unknown route 404, …) by their status, and
 * everything else as an opaque 500. Server faults never carry their internal message to the client.
 */
export interface RestErrorResponse {
  readonly status: number;
  readonly kind: WeftErrorKind;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: RestErrorBody;
  /** A server fault: log it (the client only sees a generic message). */
  readonly fault: boolean;
}

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'WEFT_ERR_API_MALFORMED_REQUEST',
  404: 'WEFT_ERR_API_ROUTE_NOT_FOUND',
  405: 'WEFT_ERR_API_METHOD_NOT_ALLOWED',
  413: 'WEFT_ERR_API_BODY_TOO_LARGE',
  415: 'WEFT_ERR_API_UNSUPPORTED_MEDIA_TYPE',
};

const INTERNAL_MESSAGE = 'internal error';

export function kindOfStatus(status: number): WeftErrorKind {
  switch (status) {
    case 401:
      return 'unauthenticated';
    case 403:
      return 'permission-denied';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 503:
      return 'unavailable';
    case 504:
      return 'deadline-exceeded';
    default:
      return status >= 400 && status < 500 ? 'invalid-argument' : 'internal';
  }
}

function response(status: number, kind: WeftErrorKind, error: RestErrorBody['error']): RestErrorResponse {
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="weft-registry"' } : {};
  return { status, kind, headers, body: { error }, fault: status >= 500 };
}

function internal(): RestErrorResponse {
  return response(500, 'internal', { code: 'WEFT_ERR_INTERNAL', message: INTERNAL_MESSAGE, issues: [] });
}

export function toRestError(err: unknown): RestErrorResponse {
  if (isWeftError(err)) {
    if (err.kind === 'internal') return internal();
    const issues = err.issues.map((i) => ({ path: i.path, message: i.message }));
    return response(httpStatusOf(err.kind), err.kind, { code: err.code, message: err.message, issues });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) return internal();
    const code = HTTP_CODES[status] ?? `WEFT_ERR_API_HTTP_${status}`;
    return response(status, kindOfStatus(status), { code, message: err.message, issues: [] });
  }
  return internal();
}
