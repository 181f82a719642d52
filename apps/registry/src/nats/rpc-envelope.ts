import type { RpcReply } from '@weft/api';
import { isWeftError, WeftError } from '@weft/shared';

/**
 * The plain-JSON wire format of the registry's NATS request/reply API, usable from any language:
 * request = the JSON of the method's request schema (an empty payload means `{}`); reply =
 * `{ok: true, result}` or `{ok: false, error: {code, kind, message, issues}}`.
 */
export type RpcError = Extract<RpcReply<unknown>, { ok: false }>['error'];

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeRpcPayload(data: Uint8Array): unknown {
  if (data.length === 0) return {};
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch (cause) {
    const issue = { path: '(root)', message: 'payload must be UTF-8 JSON' };
    throw new WeftError('WEFT_ERR_API_MALFORMED_REQUEST', 'invalid-argument', `invalid request: ${issue.message}`, {
      issues: [issue],
      cause,
    });
  }
}

/** Public form of an error: WeftErrors as they are (but internal ones), anything else opaque. */
export function rpcErrorOf(err: unknown): RpcError {
  if (isWeftError(err) && err.kind !== 'internal') {
    const issues = err.issues.map((i) => ({ path: i.path, message: i.message }));
    return { code: err.code, kind: err.kind, message: err.message, issues };
  }
  return { code: 'WEFT_ERR_INTERNAL', kind: 'internal', message: 'internal error', issues: [] };
}

export function encodeRpcReply(reply: RpcReply<unknown>): string {
  return JSON.stringify(reply);
}
