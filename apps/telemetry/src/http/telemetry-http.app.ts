import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoNestLogger } from '@weft/data-access';
import { DashboardModule, type DashboardDeps } from '../dashboard/dashboard.module';
import { BearerAuthGuard } from './bearer-auth.guard';
import { LogsController } from './logs.controller';
import { OpsController } from './ops.controller';
import { RestErrorFilter } from './rest-error.filter';
import { StatsController } from './stats.controller';
import { TapController } from '../tap/tap.controller';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from './telemetry-http.deps';
import { ZipkinController } from './zipkin.controller';

/** Span batches POSTed by apps may be large. */
export const TELEMETRY_BODY_LIMIT = 8 * 1024 * 1024;

/** Telemetry's HTTP edge: /metrics, the stats/logs API, the Zipkin v2 API, health. */
@Module({})
export class TelemetryHttpModule {
  static forRoot(deps: TelemetryHttpDeps, dashboard?: DashboardDeps): DynamicModule {
    return {
      module: TelemetryHttpModule,
      imports: dashboard === undefined ? [] : [DashboardModule.forRoot(deps, dashboard)],
      controllers: [OpsController, StatsController, LogsController, ZipkinController, TapController],
      providers: [{ provide: TELEMETRY_HTTP_DEPS, useValue: deps }, BearerAuthGuard, { provide: APP_FILTER, useClass: RestErrorFilter }],
    };
  }
}

export interface TelemetryHttpApp {
  readonly app: NestFastifyApplication;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** `dashboard` omitted: the API only, no operator dashboard at `/`. */
export async function createTelemetryHttpApp(deps: TelemetryHttpDeps, dashboard?: DashboardDeps): Promise<TelemetryHttpApp> {
  const app = await NestFactory.create<NestFastifyApplication>(
    TelemetryHttpModule.forRoot(deps, dashboard),
    new FastifyAdapter({ bodyLimit: TELEMETRY_BODY_LIMIT }),
    { logger: new PinoNestLogger(deps.logger), abortOnError: false },
  );
  return {
    app,
    async listen(port, host) {
      await app.listen(port, host);
      return (app.getHttpServer().address() as AddressInfo).port;
    },
    close: () => app.close(),
  };
}
