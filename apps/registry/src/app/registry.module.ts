import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { DataAccessModule, NATS, REDIS } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryStore } from '../store/registry.store';
import { EventPublisher } from '../events/event-publisher';
import { RegistryService } from '../registry/registry.service';
import { RegistryMetrics } from '../registry/registry.metrics';
import { TtlSweeper } from '../sweeper/ttl-sweeper';
import { OpsController } from '../ops/ops.controller';
import { Readiness } from './readiness';
import { GRPC_PORT_SOURCE, LOGGER } from './tokens';
// edges and components: one import line each
import { Membership } from '../health/membership';
import { HealthChecker } from '../health/health-checker';
import { GrpcRegistryServer } from '../grpc/grpc.server';
import { watchHubProvider } from '../watch/watch-hub.provider';
import { REST_CONTROLLERS, REST_PROVIDERS } from '../http/rest-edge';
import { NatsRpcServer } from '../nats/nats-rpc.server';
import { StaticSource } from '../static/static-source';

/** Composition root of a registry replica. */
@Module({})
export class RegistryModule {
  static forRoot(config: RegistryConfig, logger: Logger): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        DataAccessModule.forRoot({
          natsUrl: config.natsUrl,
          redisUrl: config.redisUrl,
          clientName: `weft-registry/${config.replicaId}`,
        }),
      ],
      controllers: [
        OpsController,
        // controllers: one line each
        ...REST_CONTROLLERS,
      ],
      providers: [
        { provide: REGISTRY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: RegistryMetrics, useValue: new RegistryMetrics() },
        { provide: Readiness, useValue: new Readiness() },
        {
          provide: RegistryStore,
          useFactory: (redis: Redis) => new RegistryStore(redis, config.redisPrefix),
          inject: [REDIS],
        },
        {
          provide: EventPublisher,
          useFactory: (nats: NatsConnection) =>
            new EventPublisher(nats, config.subjectPrefix, logger.child({ component: 'events' })),
          inject: [NATS],
        },
        {
          provide: RegistryService,
          useFactory: (store: RegistryStore, events: EventPublisher, metrics: RegistryMetrics) =>
            new RegistryService(store, events, metrics, logger.child({ component: 'registry' })),
          inject: [RegistryStore, EventPublisher, RegistryMetrics],
        },
        TtlSweeper,
        StaticSource,
        // providers: one line each
        Membership,
        HealthChecker,
        watchHubProvider,
        GrpcRegistryServer,
        { provide: GRPC_PORT_SOURCE, useExisting: GrpcRegistryServer },
        ...REST_PROVIDERS,
        NatsRpcServer,
      ],
    };
  }
}
