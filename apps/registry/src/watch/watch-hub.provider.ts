import type { Provider } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryService } from '../registry/registry.service';
import { RegistryMetrics } from '../registry/registry.metrics';
import { LOGGER } from '../app/tokens';
import { NatsEventFeed } from './event-feed';
import { WatchHub } from './watch-hub';
import { WatchMetrics } from './watch.metrics';

/** The replica's one WatchHub: NATS events in, snapshots from RegistryService, metrics on /metrics. */
export const watchHubProvider: Provider = {
  provide: WatchHub,
  useFactory: (nats: NatsConnection, config: RegistryConfig, registry: RegistryService, metrics: RegistryMetrics, log: Logger) =>
    new WatchHub(new NatsEventFeed(nats), registry, config.subjectPrefix, new WatchMetrics(metrics.registry), log),
  inject: [NATS, REGISTRY_CONFIG, RegistryService, RegistryMetrics, LOGGER],
};
