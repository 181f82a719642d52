import { HttpException } from '@nestjs/common';
import { RuleValidationError, type PilotErrorBody } from '@weft/api';
import { httpStatusOf, isWeftError, type WeftErrorKind } from '@weft/shared';

/**
 * How any error raised while serving a REST call is answered: `{error: {code, message, issues}}`.
 * Rejected rule documents → 422 (nothing applied); other WeftErrors by their kind (bad request 400,
 * bad token 401, unknown 404, store down 503); fastify/Nest HTTP errors (malformed JSON 400, body too
 * large 413, unknown route 404, unsupported media type 415) by their status; anything else an opaque 500.
 */
export interface RestErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: PilotErrorBody;
  /** A server fault: log it (the client sees a generic message). */
  readonly fault: boolean;
}

/** The `document` of issues that are about the request, not about one rule document. */
export const REQUEST_DOCUMENT = '(request)';

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'WEFT_ERR_API_MALFORMED_REQUEST',
  404: 'WEFT_ERR_API_ROUTE_NOT_FOUND',
  405: 'WEFT_ERR_API_METHOD_NOT_ALLOWED',
  413: 'WEFT_ERR_API_BODY_TOO_LARGE',
  415: 'WEFT_ERR_API_UNSUPPORTED_MEDIA_TYPE',
};

function response(status: number, error: PilotErrorBody['error']): RestErrorResponse {
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="weft-pilot"' } : {};
  return { status, headers, body: { error }, fault: status >= 500 };
}

function internal(): RestErrorResponse {
  return response(500, { code: 'WEFT_ERR_INTERNAL', message: 'internal error', issues: [] });
}

function statusOf(err: { kind: WeftErrorKind }): number {
  return err instanceof RuleValidationError ? 422 : httpStatusOf(err.kind);
}

export function toRestError(err: unknown): RestErrorResponse {
  if (isWeftError(err)) {
    if (err.kind === 'internal') return internal();
    const issues = err.issues.map((i) => ({
      document: (i as { document?: string }).document ?? REQUEST_DOCUMENT,
      path: i.path,
      message: i.message,
    }));
    return response(statusOf(err), { code: err.code, message: err.message, issues });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) return internal();
    return response(status, { code: HTTP_CODES[status] ?? `WEFT_ERR_API_HTTP_${status}`, message: err.message, issues: [] });
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = (err as Error).message;
    return response(status, { code: HTTP_CODES[status] ?? `WEFT_ERR_API_HTTP_${status}`, message, issues: [] });
  }
  return internal();
}
