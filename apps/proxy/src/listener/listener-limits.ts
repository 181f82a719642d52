import type { ServerOptions } from 'node:http';
import type { HttpConnectionManagerModel } from '@weft/proxy-core';
import type { FastH1Timeouts } from './fast-h1-connection';

/** An HTTP listener's limits and deadlines, from its HttpConnectionManager (Envoy's defaults when absent). */
export interface ListenerLimits {
  readonly maxHeaderSize: number;
  /** node:http's options (TLS connections and upgrades). */
  readonly h1: ServerOptions;
  /** The fast path's deadlines, checked every `sweepEveryMs`. */
  readonly fast: FastH1Timeouts;
  readonly sweepEveryMs: number;
}

export function listenerLimits(hcm: HttpConnectionManagerModel | null): ListenerLimits {
  const maxHeaderSize = (hcm?.maxRequestHeadersKb ?? 60) * 1024;
  const idle = hcm?.idleTimeoutMs ?? 3_600_000;
  const requestMs = hcm?.requestTimeoutMs ?? 0;
  const headersMs = Math.min(60_000, hcm?.requestTimeoutMs ?? 60_000);
  const checkEvery = Math.max(50, Math.min(30_000, Math.floor((hcm?.requestTimeoutMs ?? 120_000) / 4)));
  return {
    maxHeaderSize,
    h1: {
      maxHeaderSize,
      keepAliveTimeout: Math.min(idle, 2_147_483_647),
      // HCM request_timeout: the whole request must arrive within it (node answers 408).
      requestTimeout: requestMs,
      // node checks that deadline on this interval (default 30 s): make it fine enough to matter.
      connectionsCheckingInterval: checkEvery,
      headersTimeout: headersMs,
      insecureHTTPParser: false,
      joinDuplicateHeaders: false,
    },
    fast: { headersMs, requestMs, keepAliveMs: idle },
    // The fast path's deadlines (headers, request, keep-alive idle) are checked on a sweep, as node:http does.
    sweepEveryMs: Math.max(50, Math.min(checkEvery, Math.floor(idle / 4))),
  };
}
