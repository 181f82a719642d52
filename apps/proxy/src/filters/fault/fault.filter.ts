import { decideFaultAbort, decideFaultDelay, type FaultModel } from '@weft/proxy-core';
import { ProxyError } from '../../errors/proxy-error';
import { localReply, rescue, type LocalReply } from '../../errors/rescue';
import type { RequestContext, ResponseEvents } from '../../listener/request-context';
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
      return new Promise((resolve) => this.delay(ctx, fault, delay, resolve));
    }
    return this.abort(ctx, fault);
  }

  /**
   * Holds the request for `ms`, then decides the abort. A downstream that goes away meanwhile ends
   * the delay at once (Envoy resets the stream and cancels the timer): nothing is forwarded for it.
   */
  private delay(ctx: RequestContext, fault: FaultModel, ms: number, resolve: (r: LocalReply | null) => void): void {
    const res: ResponseEvents = ctx.res;
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(rescue(downstreamGone(), ctx.grpc));
    };
    const timer = setTimeout(() => {
      res.removeListener('close', onClose);
      resolve(res.destroyed ? rescue(downstreamGone(), ctx.grpc) : this.abort(ctx, fault));
    }, ms);
    res.once('close', onClose);
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

function downstreamGone(): ProxyError {
  return new ProxyError('WEFT_ERR_PROXY_DOWNSTREAM_CLOSED', 'DC', 'downstream closed during the fault delay');
}
