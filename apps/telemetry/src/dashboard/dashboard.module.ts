import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { TELEMETRY_HTTP_DEPS, type TelemetryHttpDeps } from '../http/telemetry-http.deps';
import { SeriesController } from '../series/series.controller';
import { SeriesRepository } from '../series/series.repository';
import { ControlPlaneClient } from './control-plane.client';
import { ControlPlaneController } from './control-plane.controller';
import { DashboardAssets } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';

/** What the dashboard needs beyond the HTTP edge's deps, built by the composition root. */
export interface DashboardDeps {
  readonly nats: NatsConnection;
  readonly redis: Redis;
  readonly keys: TelemetryKeys;
  readonly subjectPrefix: string;
  /** Default: apps/telemetry/dashboard (DEFAULT_DASHBOARD_DIR). */
  readonly assetsDir?: string;
  /** How long pilot and the CA get to answer (default CONTROL_PLANE_TIMEOUT_MS). */
  readonly controlPlaneTimeoutMs?: number;
}

/** The operator dashboard: static page at `/`, per-bucket series, pilot/CA data relayed over NATS. */
@Module({})
export class DashboardModule {
  static forRoot(http: TelemetryHttpDeps, deps: DashboardDeps): DynamicModule {
    return {
      module: DashboardModule,
      controllers: [DashboardController, SeriesController, ControlPlaneController],
      providers: [
        { provide: TELEMETRY_HTTP_DEPS, useValue: http },
        BearerAuthGuard,
        { provide: DashboardAssets, useValue: DashboardAssets.load(deps.assetsDir) },
        { provide: SeriesRepository, useValue: new SeriesRepository(deps.redis, deps.keys) },
        { provide: ControlPlaneClient, useValue: new ControlPlaneClient(deps.nats, deps.subjectPrefix, deps.controlPlaneTimeoutMs) },
      ],
    };
  }
}
