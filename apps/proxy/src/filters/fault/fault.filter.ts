import { decideFaultAbort, decideFaultDelay, type FaultModel } from '@weft/proxy-core';
import { localReply, type LocalReply } from '../../errors/rescue';
import type { RequestContext } from '../../listener/request-context';
import { faultOverride, type FilterResult, type HttpFilter, type RouteFilterConfig } from '../filter';

/**
 * envoy.filters.http.fault: delays and/or aborts a percentage of requests (HTTP status or gRPC
 * status), as configured on the filter or overridden per route.
 */
export class FaultFilter implements HttpFilter {
  readonly name = 'envoy.filters.http.fault';

  constructor(
    private readonly config: FaultModel,
    private readonly random: () => number = Math.random,
  ) {}

  decode(ctx: RequestContext, perRoute: RouteFilterConfig): FilterResult {
    const fault = faultOverride(perRoute) ?? this.config;
    const delay = decideFaultDelay(fault, this.random);
    if (delay > 0) {
      ctx.addFlag('DI');
      return new Promise((resolve) => setTimeout(() => resolve(this.abort(ctx, fault)), delay));
    }
    return this.abort(ctx, fault);
  }

  private abort(ctx: RequestContext, fault: FaultModel): LocalReply | null {
    const abort = decideFaultAbort(fault, this.random);
    if (abort === null) return null;
    if (abort.grpcStatus !== null && ctx.grpc) {
      return localReply(200, 'fault filter abort\n', 'FI', 'WEFT_ERR_PROXY_FAULT_ABORT: fault filter abort', [], abort.grpcStatus);
    }
    const status = abort.httpStatus ?? 503;
    return localReply(status, 'fault filter abort\n', 'FI', 'WEFT_ERR_PROXY_FAULT_ABORT: fault filter abort');
  }
}
