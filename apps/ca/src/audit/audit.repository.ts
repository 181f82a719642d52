import type { Redis } from 'ioredis';
import type { IssuedCertificateView } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { IssuanceRecord } from '../issuer/issuer.types';

/** Records expired longer than this are trimmed from the audit. */
const KEEP_EXPIRED_MS = 86_400_000;
const FLUSH_MS = 100;
const MAX_BUFFER = 10_000;

/**
 * The issuance audit in Redis: one sorted set `<prefix>ca:certs`, scored by notAfter, members the JSON
 * record (serial, identity, validity, replica). Issuance only appends to an in-memory buffer; a timer
 * writes it in one pipeline every FLUSH_MS, so Redis never sits on the signing path. When Redis is
 * down the buffer is kept up to MAX_BUFFER records, then the oldest are dropped (and counted).
 */
export class AuditRepository {
  private buffer: IssuanceRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly log: Logger,
    private readonly onDropped: (n: number) => void,
  ) {
    this.key = `${prefix}ca:certs`;
  }

  record(r: IssuanceRecord): void {
    this.buffer.push(r);
    if (this.buffer.length > MAX_BUFFER) this.onDropped(this.buffer.splice(0, this.buffer.length - MAX_BUFFER).length);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; resolves when written (or given back to the buffer on failure). */
  flush(): Promise<void> {
    this.timer = null;
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.buffer;
    if (batch.length === 0) return;
    this.buffer = [];
    const args: (string | number)[] = [];
    for (const r of batch) args.push(r.notAfter, JSON.stringify(r));
    try {
      await this.redis.multi().zadd(this.key, ...args).zremrangebyscore(this.key, '-inf', Date.now() - KEEP_EXPIRED_MS).exec();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, records: batch.length }, 'audit write failed; will retry');
      this.buffer = batch.concat(this.buffer);
      this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }

  /** Certificates still valid at `now` (all=false) or every kept record, soonest expiry first. */
  async list(limit = 1000, all = false, now = Date.now()): Promise<IssuedCertificateView[]> {
    const members = await this.redis.zrangebyscore(this.key, all ? '-inf' : now, '+inf', 'LIMIT', 0, limit);
    return members.map((m) => JSON.parse(m) as IssuedCertificateView);
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    await this.flush();
  }
}
