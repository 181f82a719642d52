import { randomBytes } from 'node:crypto';
import { connectNats, connectRedis, redactUrl } from './connections';
import { LeaderLease } from './leader-lease';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

describe('data-access', () => {
  it('redacts credentials from URLs it logs', () => {
    expect(redactUrl('redis://:s3cret@db:6379/0')).toBe('redis://db:6379/0');
    expect(redactUrl('nats://user:pw@nats:4222')).not.toContain('pw');
  });

  it('fails fast with a clear error when Redis or NATS is not there', async () => {
    await expect(connectRedis('redis://127.0.0.1:1', 'test')).rejects.toThrow(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    await expect(connectNats('nats://127.0.0.1:1', 'test')).rejects.toThrow(/cannot connect to NATS/);
  });

  it('a leader lease has one holder at a time and moves when the holder stops renewing', async () => {
    const redis = await connectRedis(REDIS_URL, 'lease-test');
    const key = `wt-${randomBytes(4).toString('hex')}:lease`;
    try {
      const a = new LeaderLease(redis, key, 'a', 300);
      const b = new LeaderLease(redis, key, 'b', 300);
      expect(await a.tick()).toBe(true);
      expect(await b.tick()).toBe(false);
      expect(await a.tick()).toBe(true);
      // a stops renewing (crash): b takes over once the lease lapses, then a learns it lost it.
      const deadline = Date.now() + 5000;
      while (!(await b.tick()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(b.isHeld).toBe(true);
      expect(await a.tick()).toBe(false);
      await b.release();
      expect(await redis.exists(key)).toBe(0);
    } finally {
      await redis.quit();
    }
  });

  it('connects to the real NATS server', async () => {
    const nc = await connectNats(NATS_URL, 'nats-test');
    expect(nc.isClosed()).toBe(false);
    await nc.close();
  });
});
