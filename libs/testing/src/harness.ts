import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { connectNats, connectRedis } from '@weft/data-access';

/**
 * Real NATS and Redis for a test suite, each run isolated by its own Redis key prefix and NATS subject
 * prefix. Servers come from `npm test` (scripts/servers.mjs) or NATS_URL / REDIS_URL.
 */
export interface TestInfra {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** e.g. `wt-1a2b3c4d:` — prepend to every Redis key this suite's code writes. */
  readonly redisPrefix: string;
  /** e.g. `wt1a2b3c4d.` — prepend to every NATS subject this suite's code uses. */
  readonly subjectPrefix: string;
  readonly nats: NatsConnection;
  readonly redis: Redis;
  /** Deletes the suite's keys and closes the connections. */
  close(): Promise<void>;
}

/** The environment a control-plane process needs to use the suite's NATS/Redis and prefixes. */
export function serviceEnv(infra: Pick<TestInfra, 'natsUrl' | 'redisUrl' | 'redisPrefix' | 'subjectPrefix'>): Record<string, string> {
  return { NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, WEFT_REDIS_PREFIX: infra.redisPrefix, WEFT_SUBJECT_PREFIX: infra.subjectPrefix };
}

export const TEST_NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function uniqueId(): string {
  return randomBytes(4).toString('hex');
}

async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export async function createTestInfra(name = 'test'): Promise<TestInfra> {
  const id = uniqueId();
  const hint = 'start them with `npm run servers` (or run the suite through `npm test`)';
  const nats = await connectNats(TEST_NATS_URL, `${name}-${id}`).catch((err: Error) => {
    throw new Error(`${err.message}: ${hint}`, { cause: err });
  });
  const redis = await connectRedis(TEST_REDIS_URL, `${name}-${id}`).catch(async (err: Error) => {
    await nats.close();
    throw new Error(`${err.message}: ${hint}`, { cause: err });
  });
  const redisPrefix = `wt-${id}:`;
  return {
    natsUrl: TEST_NATS_URL,
    redisUrl: TEST_REDIS_URL,
    redisPrefix,
    subjectPrefix: `wt${id}.`,
    nats,
    redis,
    async close() {
      await deleteByPrefix(redis, redisPrefix);
      await redis.quit();
      await nats.drain();
    },
  };
}
