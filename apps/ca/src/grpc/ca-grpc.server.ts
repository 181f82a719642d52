import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { WeftError, type Logger } from '@weft/shared';
import { Readiness } from '../app/readiness';
import { LOGGER, type GrpcPortSource } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaService } from '../issuer/ca.service';
import { loadCaGrpc } from './ca-grpc.definition';
import { caGrpcHandlers } from './ca-grpc.handlers';

const SHUTDOWN_GRACE_MS = 3000;

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The CA's gRPC edge (`weft.ca.v1.CertificateService`, plaintext for now) on config.host:grpcPort. */
@Injectable()
export class CaGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown, GrpcPortSource {
  port = 0;
  private server: Server | null = null;
  private readonly log: Logger;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(CaService) private readonly ca: CaService,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'grpc-server' });
    readiness.register('grpc', () => this.server !== null);
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = new Server();
    server.addService(loadCaGrpc().service, caGrpcHandlers(this.ca));
    const address = bindAddress(this.config.host, this.config.grpcPort);
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => {
        if (err === null) return resolve(port);
        server.forceShutdown();
        reject(new WeftError('WEFT_ERR_GRPC_BIND', 'unavailable', `cannot bind the gRPC port ${address}: ${err.message}`, { cause: err }));
      });
    });
    this.server = server;
    this.log.info({ host: this.config.host, port: this.port }, 'grpc listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
