import { ProxyError, type ResponseFlag } from './proxy-error';

/** The local reply for a failed request: status, Envoy response flag, and why (x-weft-error). */
export interface LocalReply {
  readonly status: number;
  readonly flag: ResponseFlag | null;
  /** Value of the `x-weft-error` header: code and reason, one line. */
  readonly reason: string | null;
  readonly body: string;
  /** gRPC requests get a trailers-only reply with this grpc-status instead of an HTTP error status. */
  readonly grpcStatus: number | null;
  readonly headers: readonly (readonly [string, string])[];
}

const STATUS: Readonly<Record<ResponseFlag, number>> = {
  NR: 404,
  NC: 503,
  UH: 503,
  UF: 503,
  UO: 503,
  URX: 503,
  UT: 504,
  UC: 503,
  UR: 503,
  DC: 499,
  LR: 503,
  FI: 503,
  DI: 200,
  RL: 429,
  DPE: 400,
  RBAC: 403,
};

/** HTTP status → gRPC status (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md). */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}

/**
 * THE one place that maps a failure to a response (linkerd2-proxy's rescue): ProxyError by its
 * flag, anything else as a local reset (503, LR) with a generic reason.
 */
export function rescue(err: unknown, grpc: boolean): LocalReply {
  if (err instanceof ProxyError) {
    const status = STATUS[err.flag];
    const reason = headerSafe(`${err.code}: ${err.message}`);
    return { status, flag: err.flag, reason, body: `${err.message}\n`, grpcStatus: grpc ? grpcStatusForHttp(status) : null, headers: [] };
  }
  return {
    status: 503,
    flag: 'LR',
    reason: 'WEFT_ERR_PROXY_INTERNAL: local reset',
    body: 'local reset\n',
    grpcStatus: grpc ? 14 : null,
    headers: [],
  };
}

/**
 * An error text as one header line: causes from the network or TLS stack may carry line breaks or
 * other characters a header value cannot hold (node:http would throw while answering).
 */
export function headerSafe(text: string): string {
  return text.replace(/[^\t\x20-\x7e]+/g, ' ').trim();
}

/** A reply a filter or route decides on purpose (direct_response, redirect, fault abort, 429). */
export function localReply(
  status: number,
  body: string,
  flag: ResponseFlag | null,
  reason: string | null,
  headers: readonly (readonly [string, string])[] = [],
  grpcStatus: number | null = null,
): LocalReply {
  return { status, flag, reason, body, grpcStatus, headers };
}
