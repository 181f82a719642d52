import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { PinoNestLogger } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import type { RegistryConfig } from '../config/registry.config';
import { RegistryModule } from './registry.module';
import { GRPC_PORT_SOURCE, type GrpcPortSource } from './tokens';

export interface RunningRegistry {
  readonly app: NestFastifyApplication;
  readonly httpPort: number;
  /** Port of the gRPC server. */
  readonly grpcPort: number;
  close(): Promise<void>;
}


/** Starts one registry replica: REST on config.host:httpPort, plus every component of the module. */
export async function startRegistry(config: RegistryConfig, logger: Logger): Promise<RunningRegistry> {
  const app = await NestFactory.create<NestFastifyApplication>(
    RegistryModule.forRoot(config, logger),
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  await app.listen(config.httpPort, config.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get<GrpcPortSource>(GRPC_PORT_SOURCE, { strict: false }).port;
  logger.info({ httpPort, grpcPort, host: config.host, replica: config.replicaId }, 'registry ready');
  return { app, httpPort, grpcPort, close: () => app.close() };
}
