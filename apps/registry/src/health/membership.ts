import { REGISTRY_MEMBERS_SUBJECT } from '@weft/api';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { NATS, REDIS } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryMetrics } from '../registry/registry.metrics';
import { LOGGER } from '../app/tokens';
import { RefreshLoop } from './refresh-loop';

/** Join/leave announcements, so peers re-read the membership at once (belongs in libs/api's subjects). */
const announcement = z.object({ v: z.literal(1), type: z.enum(['join', 'leave']), replica: z.string() });

/**
 * KEYS: members zset · ARGV: replicaId, ttlMs → live members. One clock, Redis's TIME, for every
 * replica: writes this replica's expiry, prunes expired entries (live = expiry > now), and lets the
 * key itself expire with its last live entry.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])) + 1)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

const NONE: readonly string[] = Object.freeze([]);
type Listener = (members: readonly string[]) => void;

/**
 * Live registry replicas, kept in the Redis sorted set `<redisPrefix>members` (member = replica id,
 * score = expiry on Redis's clock). Each replica refreshes its entry every memberTtlMs/3; one that
 * stops (crash, partition, pause) drops out when its entry expires — no goodbye needed for
 * correctness. A graceful shutdown removes the entry at once and announces it on NATS.
 *
 * Self-fencing: while this replica cannot confirm its own entry (no successful refresh for
 * memberTtlMs, timed from the start of the last good one), `members()` is empty, so its health-check
 * share is dropped no later than the moment peers may see the entry expire and take it over.
 */
@Injectable()
export class Membership implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly key: string;
  private readonly subject: string;
  private readonly log: Logger;
  private readonly loop: RefreshLoop;
  private readonly listeners = new Set<Listener>();
  private current: readonly string[] = NONE;
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private fenceTimer: NodeJS.Timeout | null = null;
  private sub: Subscription | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(RegistryMetrics) private readonly metrics: RegistryMetrics,
    @Inject(LOGGER) log: Logger,
  ) {
    this.key = `${config.redisPrefix}members`;
    this.subject = `${config.subjectPrefix}${REGISTRY_MEMBERS_SUBJECT}`;
    this.log = log.child({ component: 'membership', replica: config.replicaId });
    const periodMs = Math.max(1, Math.floor(config.memberTtlMs / 3));
    this.loop = new RefreshLoop(() => this.refresh(), periodMs, (err) => this.log.error({ err }, 'membership loop error'));
  }

  get self(): string {
    return this.config.replicaId;
  }

  /** Live replicas (sorted, this one included); empty while this replica cannot confirm its entry. */
  members(): readonly string[] {
    return this.confirmed() ? this.current : NONE;
  }

  /** Called with the new member list on every change (including fencing); returns an unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscribe();
    await this.loop.start();
    this.announce('join');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    this.sub?.unsubscribe();
    this.sub = null;
    this.clearFence();
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    this.update(NONE);
    try {
      await this.redis.zrem(this.key, this.self);
      this.announce('leave');
    } catch (err) {
      this.log.warn({ err }, 'membership leave failed; the entry will expire');
    }
  }

  private confirmed(): boolean {
    return performance.now() - this.confirmedAt < this.config.memberTtlMs;
  }

  private async refresh(): Promise<void> {
    const startedAt = performance.now();
    try {
      const list = (await this.redis.eval(HEARTBEAT, 1, this.key, this.self, this.config.memberTtlMs)) as string[];
      this.confirmedAt = startedAt;
      this.armFence(startedAt);
      this.update([...list].sort());
    } catch (err) {
      this.log.warn({ err }, 'membership refresh failed');
      if (!this.confirmed()) this.update(NONE);
    }
  }

  /** Fences this replica when its entry may have expired, even if a Redis call hangs meanwhile. */
  private armFence(confirmedAt: number): void {
    this.clearFence();
    const delay = Math.max(0, confirmedAt + this.config.memberTtlMs - performance.now());
    this.fenceTimer = setTimeout(() => {
      this.fenceTimer = null;
      if (!this.confirmed()) {
        this.log.warn({ memberTtlMs: this.config.memberTtlMs }, 'membership unconfirmed; dropping the health-check share');
        this.update(NONE);
      }
    }, delay + 1);
  }

  private clearFence(): void {
    if (this.fenceTimer !== null) clearTimeout(this.fenceTimer);
    this.fenceTimer = null;
  }

  private update(next: readonly string[]): void {
    const prev = this.current;
    if (next.length === prev.length && next.every((m, i) => m === prev[i])) return;
    this.current = next;
    this.metrics.members.set(next.length);
    const joined = next.filter((m) => !prev.includes(m));
    const left = prev.filter((m) => !next.includes(m));
    this.log.info({ members: next, joined, left }, 'membership changed');
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (err) {
        this.log.error({ err }, 'membership listener failed');
      }
    }
  }

  private subscribe(): void {
    this.sub = this.nats.subscribe(this.subject, {
      callback: (err, msg) => {
        if (err !== null) return;
        const parsed = announcement.safeParse(safeJson(msg.string()));
        if (parsed.success && parsed.data.replica !== this.self) this.loop.kick();
      },
    });
  }

  private announce(type: 'join' | 'leave'): void {
    try {
      this.nats.publish(this.subject, JSON.stringify({ v: 1, type, replica: this.self }));
    } catch (err) {
      this.log.warn({ err, type }, 'membership announcement failed');
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
