import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { WeftError } from '@weft/shared';

/**
 * Connections of a control-plane process to NATS and Redis. URLs carry credentials
 * (`nats://user:pass@host:4222`, `redis://:pass@host:6379/0`); they are never logged.
 */

/** `nats://user:pass@host:4222` → `nats://host:4222`, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const u = new URL(url);
  const server = `${u.hostname}:${u.port === '' ? '4222' : u.port}`;
  const auth =
    u.username !== ''
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : {};
  try {
    return await connect({
      servers: server,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5000,
      ...auth,
    });
  } catch (cause) {
    throw new WeftError('WEFT_ERR_NATS_CONNECT', 'unavailable', `cannot connect to NATS at ${redactUrl(url)}`, {
      cause,
    });
  }
}

/** Connects to Redis and waits until it answers; fails fast with a clear error instead of retrying forever. */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(1000, 50 * times),
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    redis.disconnect();
    throw new WeftError('WEFT_ERR_REDIS_CONNECT', 'unavailable', `cannot connect to Redis at ${redactUrl(url)}`, {
      cause,
    });
  }
  return redis;
}
