import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { PilotVersionResponse } from '@weft/api';
import { PILOT_HTTP_DEPS, type PilotHttpDeps, type AnalysisMessage } from './pilot-http.deps';
import { ANALYZE_PATH, VERSION_PATH } from './rest-routes';

function packageVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Liveness, readiness, Prometheus metrics, version and the analyzer of one replica. */
@Controller()
export class OpsController {
  private readonly version: string;

  constructor(@Inject(PILOT_HTTP_DEPS) private readonly deps: PilotHttpDeps) {
    this.version = deps.version ?? packageVersion();
  }

  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const s = this.deps.readiness?.() ?? { ready: true, checks: {} };
    void reply.code(s.ready ? 200 : 503).send(s);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.deps.metrics.metrics();
  }

  @Get(ANALYZE_PATH)
  analyze(): { messages: readonly AnalysisMessage[] } {
    return { messages: this.deps.analyze() };
  }

  @Get(VERSION_PATH)
  versionInfo(): PilotVersionResponse {
    return { component: 'pilot', version: this.version, replica: this.deps.replica, rulesRevision: this.deps.rulesRevision?.() ?? null };
  }
}
