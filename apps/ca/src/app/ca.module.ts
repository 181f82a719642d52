import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { DataAccessModule, REDIS } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { AuditRepository } from '../audit/audit.repository';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaGrpcServer } from '../grpc/ca-grpc.server';
import { CaController } from '../http/ca.controller';
import { HttpErrorFilter } from '../http/http-error.filter';
import { OpsController } from '../http/ops.controller';
import { CaMetrics } from '../issuer/ca.metrics';
import { CaService } from '../issuer/ca.service';
import type { CaMaterial } from '../keys/key-material';
import { CaNatsServer } from '../nats/ca-nats.server';
import { ListCertificatesRpc } from '../nats/list-certificates.rpc';
import { TrustBundlePublisher } from '../nats/trust-bundle.publisher';
import { Readiness } from './readiness';
import { CA_MATERIAL, GRPC_PORT_SOURCE, LOGGER } from './tokens';

/** Closes the audit (flushing what is buffered) before the connections go. */
class AuditCloser {
  constructor(private readonly audit: AuditRepository) {}
  async onModuleDestroy(): Promise<void> {
    await this.audit.close();
  }
}

/** Composition root of a CA replica. */
@Module({})
export class CaModule {
  static forRoot(config: CaConfig, material: CaMaterial, logger: Logger): DynamicModule {
    const metrics = new CaMetrics();
    return {
      module: CaModule,
      imports: [DataAccessModule.forRoot({ natsUrl: config.natsUrl, redisUrl: config.redisUrl, clientName: `weft-ca/${config.replicaId}` })],
      controllers: [OpsController, CaController],
      providers: [
        { provide: CA_CONFIG, useValue: config },
        { provide: CA_MATERIAL, useValue: material },
        { provide: LOGGER, useValue: logger },
        { provide: CaMetrics, useValue: metrics },
        { provide: Readiness, useValue: new Readiness() },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: AuditRepository,
          useFactory: (redis: Redis) =>
            new AuditRepository(redis, config.redisPrefix, logger.child({ component: 'audit' }), (n) => metrics.auditDropped.inc(n)),
          inject: [REDIS],
        },
        { provide: AuditCloser, useFactory: (audit: AuditRepository) => new AuditCloser(audit), inject: [AuditRepository] },
        {
          provide: CaService,
          useFactory: (audit: AuditRepository) => {
            const policy = { trustDomain: config.trustDomain, defaultTtlSeconds: config.defaultTtl, maxTtlSeconds: config.maxTtl, minTtlSeconds: config.minTtl, replica: config.replicaId };
            return new CaService(material, policy, audit, metrics, logger.child({ component: 'issuer' }));
          },
          inject: [AuditRepository],
        },
        CaGrpcServer,
        { provide: GRPC_PORT_SOURCE, useExisting: CaGrpcServer },
        CaNatsServer,
        ListCertificatesRpc,
        TrustBundlePublisher,
      ],
    };
  }
}
