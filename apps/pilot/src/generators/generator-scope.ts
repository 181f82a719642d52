import type { ClientKind } from '../model/xds-contract';

/**
 * What makes generated output differ between clients: sidecars (weft-proxy and Envoy get the same
 * resources) and proxyless gRPC clients (grpc-js-xds accepts less: ROUND_ROBIN/RING_HASH only, no
 * redirects, rewrites, mirrors or direct responses, retries on gRPC codes only).
 */
export type GeneratorScope = 'sidecar' | 'grpc';

export function scopeOfKind(kind: ClientKind): GeneratorScope {
  return kind === 'grpc' ? 'grpc' : 'sidecar';
}
