import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { connectNats, connectRedis } from './connections';

/** Injection tokens. */
export const NATS = Symbol('NATS');
export const REDIS = Symbol('REDIS');
export const DATA_ACCESS_OPTIONS = Symbol('DATA_ACCESS_OPTIONS');

export interface DataAccessOptions {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Client name shown by `CLIENT LIST` and NATS monitoring, e.g. `weft-registry/registry-1`. */
  readonly clientName: string;
}

/** Closes both connections when the Nest application shuts down. */
class ConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nats.drain().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Global NATS + Redis connections for a NestJS control-plane app. */
@Global()
@Module({})
export class DataAccessModule {
  static forRoot(options: DataAccessOptions): DynamicModule {
    return {
      module: DataAccessModule,
      providers: [
        { provide: DATA_ACCESS_OPTIONS, useValue: options },
        { provide: NATS, useFactory: () => connectNats(options.natsUrl, options.clientName) },
        { provide: REDIS, useFactory: () => connectRedis(options.redisUrl, options.clientName) },
        ConnectionsCloser,
      ],
      exports: [NATS, REDIS, DATA_ACCESS_OPTIONS],
    };
  }
}
