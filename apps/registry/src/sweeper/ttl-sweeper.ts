import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LeaderLease, REDIS } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryService } from '../registry/registry.service';
import { RegistryMetrics } from '../registry/registry.metrics';
import { LOGGER } from '../app/tokens';

/**
 * Runs the TTL sweep on exactly one live replica: the holder of a Redis lease. When the holder dies
 * its lease lapses and another replica takes over; the sweep itself is atomic, so a change of
 * leader can neither lose nor repeat an expiry.
 */
@Injectable()
export class TtlSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly lease: LeaderLease;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(RegistryMetrics) private readonly metrics: RegistryMetrics,
    @Inject(LOGGER) log: Logger,
  ) {
    this.lease = new LeaderLease(redis, `${config.redisPrefix}lease:sweeper`, config.replicaId, config.leaseMs);
    this.log = log.child({ component: 'ttl-sweeper' });
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
        this.schedule(this.config.sweepIntervalMs);
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    try {
      const wasLeader = this.lease.isHeld;
      const leader = await this.lease.tick();
      if (leader !== wasLeader) this.log.info({ leader }, leader ? 'sweeper lease acquired' : 'sweeper lease lost');
      this.metrics.sweeperLeader.set(leader ? 1 : 0);
      if (!leader) return;
      // Drain everything due now, in bounded batches.
      while (!this.stopped && (await this.registry.sweep(500)) === 500);
    } catch (err) {
      this.log.warn({ err }, 'sweep failed');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    await this.lease.release().catch(() => undefined);
  }
}
