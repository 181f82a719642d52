import type { Dispatcher } from 'undici';
import type { MirrorPolicyModel } from '@weft/proxy-core';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { Cluster } from '../upstream/cluster';
import type { Host } from '../upstream/host';
import { classifyError, type UpstreamOutcome } from '../upstream/outcome';
import type { RequestBody } from './request-body';
import { setHeader } from './headers';

/**
 * One mirrored request: its response is swallowed (the client never waits for or sees it), but it
 * counts as an upstream request of the mirror cluster, as Envoy's shadow requests do: in flight on
 * its host (/clusters), under the cluster's max_requests breaker, in its stats and outlier detection.
 */
class MirrorAttempt implements Dispatcher.DispatchHandler {
  private status = 0;
  private readonly startMs = performance.now();

  constructor(
    private readonly cluster: Cluster,
    private readonly host: Host,
  ) {
    host.activeRequests++;
  }

  onRequestStart(): void {
    // Nothing to do: the request is on its way and nobody waits for it.
  }

  onResponseStart(_controller: unknown, status: number): void {
    this.status = status;
  }

  onResponseData(): void {
    // The body is discarded.
  }

  onResponseEnd(): void {
    this.done({ kind: 'response', status: this.status, grpcStatus: null });
  }

  onResponseError(_controller: unknown, err: Error): void {
    this.done(classifyError(err));
  }

  private done(outcome: UpstreamOutcome): void {
    this.host.activeRequests--;
    this.cluster.breaker.release('requests');
    this.cluster.onOutcome(this.host, outcome, performance.now() - this.startMs);
  }
}

/**
 * request_mirror_policies: a copy of a share of requests goes to another cluster, fire-and-forget,
 * with `-shadow` appended to the host name, before any port (Envoy's shadowAppendedHost:
 * `reviews:9080` → `reviews-shadow:9080`). Requests whose body is too large to keep are not mirrored.
 */
export function mirrorRequest(
  mirrors: readonly MirrorPolicyModel[],
  clusters: ClusterManager,
  method: string,
  path: string,
  headers: readonly string[],
  authority: string,
  body: RequestBody | null,
  random: () => number,
): void {
  for (const m of mirrors) {
    if (m.fraction < 1 && random() >= m.fraction) continue;
    const cluster = clusters.get(m.cluster);
    if (cluster === undefined) continue;
    const copy = headers.slice();
    setHeader(copy, 'host', shadowHost(hostOf(copy) ?? authority));
    if (body === null) send(cluster, method, path, copy, null);
    else body.whenComplete((b) => b !== null && send(cluster, method, path, copy, b));
  }
}

function send(cluster: Cluster, method: string, path: string, headers: string[], body: Buffer | null): void {
  const host = cluster.pick(null, null);
  if (host === null) return;
  if (!cluster.breaker.tryAcquire('requests')) {
    cluster.countOverflow('requests');
    return;
  }
  host.dispatcher.dispatch({ method, path, headers, body }, new MirrorAttempt(cluster, host));
}

/** The host header of the upstream request (after any host rewrite). */
function hostOf(headers: readonly string[]): string | null {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'host') return headers[i + 1];
  return null;
}

/** Envoy (HeaderUtility::getPortStart): the port starts at the last `:` unless it is inside `[…]`. */
function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || colon < host.lastIndexOf(']')) return `${host}-shadow`;
  return `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
}
