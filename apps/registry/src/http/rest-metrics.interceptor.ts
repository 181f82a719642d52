import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { tap, type Observable } from 'rxjs';
import { RegistryMetrics } from '../registry/registry.metrics';
import { restOperationOf } from './rest-routes';

/**
 * Counts successful REST calls in `weft_registry_requests_total{api="rest", method, outcome="ok"}`;
 * failed ones are counted by RestErrorFilter with their error kind as the outcome.
 */
@Injectable()
export class RestMetricsInterceptor implements NestInterceptor {
  constructor(@Inject(RegistryMetrics) private readonly metrics: RegistryMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const operation = restOperationOf(request.method, request.routeOptions.url);
    return next.handle().pipe(
      tap(() => {
        if (operation !== null) this.metrics.requests.inc({ api: 'rest', method: operation, outcome: 'ok' });
      }),
    );
  }
}
