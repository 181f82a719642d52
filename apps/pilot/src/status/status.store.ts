import type { Redis } from 'ioredis';
import type { Logger } from '@weft/shared';
import type { ProxySyncStatus, SyncStatusSink } from '../model/xds-contract';
import { DELETE_IF_REPLICA } from './status.lua';

/** A proxy's sync status as stored: what the xDS server reported plus when it was written. */
export type StoredProxyStatus = ProxySyncStatus & { readonly updatedAt: number };

export interface StatusStoreOptions {
  /** Redis key prefix (WEFT_REDIS_PREFIX): keys are `<prefix>pilot:status`, `<prefix>pilot:replica:<id>`. */
  readonly prefix: string;
  /** This replica's id (WEFT_PILOT_REPLICA). */
  readonly replica: string;
  /** Heartbeat lifetime: a replica silent this long is dead and its entries are dropped. */
  readonly ttlMs: number;
  /** Writes arriving within this window are coalesced into one pipeline (default 50 ms). */
  readonly flushMs?: number;
}

type Pending = { readonly status: ProxySyncStatus; readonly at: number } | { readonly gone: string };
type ScriptedRedis = Redis & { weftStatusDeleteIfReplica(key: string, proxyId: string, replica: string): Promise<number> };

/**
 * Proxy sync status shared by every pilot replica, in the Redis hash `<prefix>pilot:status`
 * (proxyId → JSON). Writes are cheap for the xDS server: `update`/`disconnected` only record the
 * latest state per proxy in memory; one pipelined flush per window writes them, errors are logged.
 * Each replica keeps a heartbeat key alive while started; entries of a replica whose heartbeat has
 * expired (it died) are dropped from `list`/`get` and removed.
 */
export class RedisSyncStatusStore implements SyncStatusSink {
  private readonly redis: ScriptedRedis;
  private readonly hashKey: string;
  private readonly flushMs: number;
  private pending = new Map<string, Pending>();
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    redis: Redis,
    private readonly options: StatusStoreOptions,
    private readonly log: Logger,
  ) {
    if (!('weftStatusDeleteIfReplica' in redis)) {
      redis.defineCommand('weftStatusDeleteIfReplica', { numberOfKeys: 1, lua: DELETE_IF_REPLICA });
    }
    this.redis = redis as ScriptedRedis;
    this.hashKey = `${options.prefix}pilot:status`;
    this.flushMs = options.flushMs ?? 50;
  }

  private heartbeatKey(replica: string): string {
    return `${this.options.prefix}pilot:replica:${replica}`;
  }

  /** Starts this replica's heartbeat (its entries are visible only while it beats). */
  async start(): Promise<void> {
    await this.beat();
    const every = Math.max(50, Math.floor(this.options.ttlMs / 3));
    this.heartbeatTimer = setInterval(() => {
      this.beat().catch((err: unknown) => this.log.warn({ err }, 'status heartbeat failed'));
    }, every);
    this.heartbeatTimer.unref();
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.heartbeatKey(this.options.replica), String(Date.now()), 'PX', this.options.ttlMs);
  }

  /** Flushes pending writes, stops the heartbeat and withdraws this replica's entries. */
  async stop(): Promise<void> {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.flush();
    await this.redis.del(this.heartbeatKey(this.options.replica));
    const mine = (await this.readAll()).filter((s) => s.replica === this.options.replica);
    await Promise.all(mine.map((s) => this.redis.weftStatusDeleteIfReplica(this.hashKey, s.proxyId, s.replica)));
  }

  update(status: ProxySyncStatus): void {
    // serialised at flush: a proxy ACKing often costs one JSON.stringify per window, not per ACK
    this.pending.set(status.proxyId, { status, at: Date.now() });
    this.schedule();
  }

  disconnected(proxyId: string, replica: string): void {
    this.pending.set(proxyId, { gone: replica });
    this.schedule();
  }

  private schedule(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => void this.flush(), this.flushMs);
    this.flushTimer.unref();
  }

  /** Writes everything pending now (one pipeline); resolves when it is stored or has failed (logged). */
  flush(): Promise<void> {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.inFlight;
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    for (const [proxyId, p] of batch) {
      if ('status' in p) pipeline.hset(this.hashKey, proxyId, JSON.stringify({ ...p.status, updatedAt: p.at }));
      else (pipeline as unknown as ScriptedRedis).weftStatusDeleteIfReplica(this.hashKey, proxyId, p.gone);
    }
    const run = pipeline.exec().then(
      (results) => {
        const failed = (results ?? []).find(([err]) => err !== null);
        if (failed !== undefined) this.log.warn({ err: failed[0], writes: batch.size }, 'status write failed');
      },
      (err: unknown) => this.log.warn({ err, writes: batch.size }, 'status write failed'),
    );
    this.inFlight = this.inFlight.then(() => run);
    return this.inFlight;
  }

  /** Every proxy connected to a live replica, sorted by proxy id. */
  async list(): Promise<StoredProxyStatus[]> {
    const all = await this.readAll();
    const alive = await this.liveReplicas(new Set(all.map((s) => s.replica)));
    const live: StoredProxyStatus[] = [];
    for (const s of all) {
      if (alive.has(s.replica)) live.push(s);
      else this.dropStale(s);
    }
    return live.sort((a, b) => (a.proxyId < b.proxyId ? -1 : a.proxyId > b.proxyId ? 1 : 0));
  }

  /** One proxy's status, or null when it is not connected (or its replica died). */
  async get(proxyId: string): Promise<StoredProxyStatus | null> {
    const json = await this.redis.hget(this.hashKey, proxyId);
    const s = json === null ? null : this.parse(proxyId, json);
    if (s === null) return null;
    if ((await this.liveReplicas(new Set([s.replica]))).has(s.replica)) return s;
    this.dropStale(s);
    return null;
  }

  private async readAll(): Promise<StoredProxyStatus[]> {
    const raw = await this.redis.hgetall(this.hashKey);
    const out: StoredProxyStatus[] = [];
    for (const [proxyId, json] of Object.entries(raw)) {
      const s = this.parse(proxyId, json);
      if (s !== null) out.push(s);
    }
    return out;
  }

  private parse(proxyId: string, json: string): StoredProxyStatus | null {
    try {
      const s = JSON.parse(json) as StoredProxyStatus;
      if (typeof s === 'object' && s !== null && typeof s.replica === 'string') return s;
    } catch {
      // fall through: logged below
    }
    this.log.warn({ proxyId }, 'unreadable status entry skipped');
    return null;
  }

  private async liveReplicas(replicas: ReadonlySet<string>): Promise<Set<string>> {
    const ids = [...replicas];
    if (ids.length === 0) return new Set();
    const beats = await this.redis.mget(...ids.map((id) => this.heartbeatKey(id)));
    return new Set(ids.filter((_, i) => beats[i] !== null));
  }

  private dropStale(s: StoredProxyStatus): void {
    this.redis
      .weftStatusDeleteIfReplica(this.hashKey, s.proxyId, s.replica)
      .catch((err: unknown) => this.log.warn({ err, proxyId: s.proxyId }, 'stale status removal failed'));
  }
}
