import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { PinoNestLogger } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import type { CaConfig } from '../config/ca.config';
import { loadOrCreateCaMaterial } from '../keys/key-material';
import { CaModule } from './ca.module';
import { GRPC_PORT_SOURCE, type GrpcPortSource } from './tokens';

export interface RunningCa {
  readonly app: NestFastifyApplication;
  readonly httpPort: number;
  readonly grpcPort: number;
  close(): Promise<void>;
}

/** Starts one CA replica: loads (or creates once) the key material, then HTTP, gRPC and NATS. */
export async function startCa(config: CaConfig, logger: Logger): Promise<RunningCa> {
  const material = await loadOrCreateCaMaterial(config.caDir, config.trustDomain);
  logger.info(
    { dir: config.caDir, generated: material.generated, root: material.rootPems.length, intermediate: material.intermediate.subject.replace(/\n/g, ', ') },
    material.generated ? 'ca key material created' : 'ca key material loaded',
  );
  const app = await NestFactory.create<NestFastifyApplication>(
    CaModule.forRoot(config, material, logger),
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  await app.listen(config.httpPort, config.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get<GrpcPortSource>(GRPC_PORT_SOURCE, { strict: false }).port;
  logger.info({ httpPort, grpcPort, host: config.host, replica: config.replicaId, trustDomain: config.trustDomain }, 'ca ready');
  return { app, httpPort, grpcPort, close: () => app.close() };
}
