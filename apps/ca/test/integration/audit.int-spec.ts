import pino from 'pino';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { AuditRepository } from '../../src/audit/audit.repository';

let infra: TestInfra;
beforeAll(async () => {
  infra = await createTestInfra('ca-audit');
});
afterAll(async () => {
  await infra?.close();
});

const rec = (serial: string, notAfter: number) => ({ serial, identity: `spiffe://cluster.local/ns/a/sa/${serial}`, notBefore: notAfter - 60_000, notAfter, replica: 'r1', via: 'token' as const });

describe('AuditRepository (real Redis)', () => {
  it('buffers records, writes them in one batch, lists the valid ones soonest expiry first and trims old ones', async () => {
    const audit = new AuditRepository(infra.redis, infra.redisPrefix, pino({ level: 'silent' }), () => undefined);
    const now = Date.now();
    audit.record(rec('late', now + 120_000));
    audit.record(rec('soon', now + 60_000));
    audit.record(rec('expired', now - 1000));
    audit.record(rec('ancient', now - 2 * 86_400_000));
    expect(await infra.redis.zcard(audit.key)).toBe(0); // nothing written on the signing path
    await audit.flush();
    expect((await audit.list()).map((c) => c.serial)).toEqual(['soon', 'late']);
    expect((await audit.list(1000, true)).map((c) => c.serial)).toEqual(['expired', 'soon', 'late']);
    expect(audit.key).toBe(`${infra.redisPrefix}ca:certs`);
    await audit.close();
  });
});
