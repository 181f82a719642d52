import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readiness } from '../app/readiness';
import { CaMetrics } from '../issuer/ca.metrics';

/** Liveness, readiness and Prometheus metrics of one replica. */
@Controller()
export class OpsController {
  constructor(
    @Inject(Readiness) private readonly readiness: Readiness,
    @Inject(CaMetrics) private readonly metrics: CaMetrics,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const s = this.readiness.status();
    void reply.code(s.ready ? 200 : 503).send(s);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
