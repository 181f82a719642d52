import type { FaultModel } from '../model/config-model';

/** The abort to inject: the route's own frozen `FaultModel.abort` object (no allocation). */
export type FaultAbort = NonNullable<FaultModel['abort']>;

function hit(fraction: number, random: () => number): boolean {
  if (fraction <= 0) return false;
  if (fraction >= 1) return true;
  return random() < fraction;
}

/**
 * Envoy fault filter, per request: delay `fixedDelayMs` for `fraction` of requests, else 0.
 * Delay and abort are drawn independently (Envoy checks the delay first, then the abort).
 * A fraction of 0 or 1 draws no random number.
 */
export function decideFaultDelay(fault: FaultModel, random: () => number = Math.random): number {
  const delay = fault.delay;
  return delay !== null && hit(delay.fraction, random) ? delay.fixedDelayMs : 0;
}

/**
 * Envoy fault filter, per request: the abort to answer with for `fraction` of requests, else null.
 * The caller answers `httpStatus`, or for gRPC requests with `grpcStatus` set, a trailers-only
 * HTTP 200 carrying that grpc-status (Envoy `abort.grpc_status`).
 */
export function decideFaultAbort(fault: FaultModel, random: () => number = Math.random): FaultAbort | null {
  const abort = fault.abort;
  return abort !== null && hit(abort.fraction, random) ? abort : null;
}
