import type { Dispatcher } from 'undici';
import type { MirrorPolicyModel } from '@weft/proxy-core';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { RequestBody } from './request-body';
import { setHeader } from './headers';

/** Swallows a mirror's response: the client never waits for or sees it. */
const ignore = (): void => undefined;
const DISCARD: Dispatcher.DispatchHandler = {
  onRequestStart: ignore,
  onResponseStart: ignore,
  onResponseData: ignore,
  onResponseEnd: ignore,
  onResponseError: ignore,
};

/**
 * request_mirror_policies: a copy of a share of requests goes to another cluster, fire-and-forget,
 * with `-shadow` appended to the host (Envoy). Requests whose body is too large to keep are not
 * mirrored.
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
    const host = cluster?.pick(null, null) ?? null;
    if (host === null) continue;
    const copy = headers.slice();
    setHeader(copy, 'host', `${authority}-shadow`);
    const send = (payload: Buffer | null): void => {
      host.dispatcher.dispatch({ method, path, headers: copy, body: payload }, DISCARD);
    };
    if (body === null) send(null);
    else body.whenComplete((b) => b !== null && send(b));
  }
}
