import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { caListCertificatesSubject, issuedCertificateList, type RpcReply } from '@weft/api';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { AuditRepository } from '../audit/audit.repository';
import { startCa, type RunningCa } from '../app/bootstrap';
import { readCaConfig } from '../config/ca.config';

const silent = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });
const rec = (serial: string, notAfter: number) => ({ serial, identity: `spiffe://cluster.local/ns/shop/sa/${serial}`, notBefore: notAfter - 60_000, notAfter, replica: 'ca-a', via: 'token' as const });

describe('CA listCertificates over NATS request/reply (a CA replica in process, real NATS + Redis)', () => {
  let infra: TestInfra;
  let dir: string;
  let ca: RunningCa;
  let httpUrl: string;

  beforeAll(async () => {
    infra = await createTestInfra('ca-list-rpc');
    dir = await mkdtemp(join(tmpdir(), 'weft-ca-rpc-'));
    const env = {
      NATS_URL: infra.natsUrl,
      REDIS_URL: infra.redisUrl,
      WEFT_CA_HTTP_PORT: '0',
      WEFT_CA_GRPC_PORT: '0',
      WEFT_CA_DIR: dir,
      WEFT_CA_REPLICA_ID: 'ca-a',
      WEFT_REDIS_PREFIX: infra.redisPrefix,
      WEFT_SUBJECT_PREFIX: infra.subjectPrefix,
    };
    ca = await startCa(readCaConfig(env), silent);
    httpUrl = `http://127.0.0.1:${ca.httpPort}`;
    const audit = ca.app.get(AuditRepository);
    const now = Date.now();
    audit.record(rec('expired', now - 1000));
    audit.record(rec('late', now + 120_000));
    audit.record(rec('soon', now + 60_000));
    await audit.flush();
  });

  afterAll(async () => {
    await ca?.close();
    await infra?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function ask(body: unknown): Promise<RpcReply<unknown>> {
    const msg = await infra.nats.request(caListCertificatesSubject(infra.subjectPrefix), body === undefined ? '' : JSON.stringify(body), { timeout: 5000 });
    return msg.json<RpcReply<unknown>>();
  }

  it('answers the issuance audit exactly as GET /v1/certs does (valid ones by default, all on request)', async () => {
    const reply = await ask(undefined);
    expect(reply.ok).toBe(true);
    const viaNats = issuedCertificateList.parse(reply.ok ? reply.result : null);
    expect(viaNats.certificates.map((c) => c.serial)).toEqual(['soon', 'late']);
    expect(viaNats).toEqual(await (await fetch(`${httpUrl}/v1/certs`)).json());
    const all = await ask({ all: true, limit: 2 });
    expect(all.ok && issuedCertificateList.parse(all.result).certificates.map((c) => c.serial)).toEqual(['expired', 'soon']);
  });

  it('rejects a malformed request with the field', async () => {
    expect(await ask({ limit: 0 })).toMatchObject({ ok: false, error: { kind: 'invalid-argument', issues: [{ path: 'limit' }] } });
  });
});
