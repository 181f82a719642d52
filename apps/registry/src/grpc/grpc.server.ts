import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { WeftError, type Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryService } from '../registry/registry.service';
import { RegistryMetrics } from '../registry/registry.metrics';
import { Readiness } from '../app/readiness';
import { LOGGER } from '../app/tokens';
import type { GrpcPortSource } from '../app/tokens';
import { WatchHub } from '../watch/watch-hub';
import { GrpcCalls } from './grpc-calls';
import { loadRegistryGrpc } from './registry-grpc.definition';
import { registryHandlers } from './registry.handlers';
import { GrpcWatchStreams } from './watch-streams';

/** How long shutdown waits for in-flight calls before cutting them. */
const SHUTDOWN_GRACE_MS = 5000;

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The registry's gRPC edge (`weft.registry.v1.Registry`, plaintext) on config.host:grpcPort; port 0
 * binds any free port, reported by `port`. Ready once bound; on shutdown it ends the open Watch
 * streams, lets unary calls finish within SHUTDOWN_GRACE_MS, then cuts what is left.
 */
@Injectable()
export class GrpcRegistryServer implements OnApplicationBootstrap, OnApplicationShutdown, GrpcPortSource {
  /** The bound port; 0 until bound. */
  port = 0;
  private server: Server | null = null;
  private readonly log: Logger;
  private readonly calls: GrpcCalls;
  private readonly streams: GrpcWatchStreams;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(WatchHub) hub: WatchHub,
    @Inject(RegistryMetrics) metrics: RegistryMetrics,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'grpc-server' });
    this.calls = new GrpcCalls(metrics, config.token, log);
    this.streams = new GrpcWatchStreams(hub, this.calls, log);
    readiness.register('grpc', () => this.server !== null);
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = new Server();
    server.addService(loadRegistryGrpc().service, registryHandlers(this.registry, this.calls, this.streams.handle));
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
    this.streams.closeAll('registry replica shutting down; watch again on another replica');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'grpc calls still running at the deadline; forcing shutdown');
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.log.info({ port: this.port }, 'grpc stopped');
  }
}
