import pino from 'pino';
import { pilotProxyStatusSubject, proxyListResponse, type RpcReply } from '@weft/api';
import { createTestInfra, type TestInfra } from '@weft/testing';
import type { ProxySyncStatus } from '../model/xds-contract';
import { ProxyStatusRpc } from './proxy-status.rpc';
import { RedisSyncStatusStore } from './status.store';

const silent = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });

function status(proxyId: string, namespace: string, nack: boolean): ProxySyncStatus {
  const node = {
    id: proxyId,
    cluster: 'reviews',
    kind: 'weft' as const,
    userAgent: 'weft-proxy',
    namespace,
    service: 'reviews',
    labels: { version: 'v1' },
    locality: { region: '', zone: '', subZone: '' },
    appPort: 9080,
    outboundPort: 15001,
    inboundPort: 15006,
  };
  const synced = { subscribed: ['*'], acked: {}, state: 'SYNCED' as const, error: null, lastSentAt: 1, lastAckAt: 2 };
  const rejected = { ...synced, state: 'NACK' as const, error: 'unknown cluster' };
  return { proxyId, node, replica: 'pilot-a', protocol: 'delta', connectedAt: 1, types: { cds: synced, lds: nack ? rejected : synced } };
}

describe('pilot proxyStatus over NATS request/reply (real NATS + Redis)', () => {
  let infra: TestInfra;
  let store: RedisSyncStatusStore;
  let rpc: ProxyStatusRpc;

  beforeAll(async () => {
    infra = await createTestInfra('pilot-status-rpc');
    store = new RedisSyncStatusStore(infra.redis, { prefix: infra.redisPrefix, replica: 'pilot-a', ttlMs: 10_000, flushMs: 10 }, silent);
    await store.start();
    store.update(status('productpage-1', 'default', false));
    store.update(status('reviews-1', 'shop', true));
    await store.flush();
    rpc = new ProxyStatusRpc(infra.nats, store, infra.subjectPrefix, silent);
    await rpc.start();
  });

  afterAll(async () => {
    await rpc?.stop();
    await store?.stop();
    await infra?.close();
  });

  async function ask(body: string): Promise<RpcReply<unknown>> {
    const msg = await infra.nats.request(pilotProxyStatusSubject(infra.subjectPrefix), body, { timeout: 5000 });
    return msg.json<RpcReply<unknown>>();
  }

  it('answers what GET /v1/proxies returns: every connected proxy with its per-type state', async () => {
    const reply = await ask('');
    expect(reply.ok).toBe(true);
    const { proxies } = proxyListResponse.parse(reply.ok ? reply.result : null);
    expect(proxies.map((p) => [p.proxyId, p.types['cds']?.state, p.types['lds']?.state])).toEqual([
      ['productpage-1', 'SYNCED', 'SYNCED'],
      ['reviews-1', 'SYNCED', 'NACK'],
    ]);
    expect(proxies[1]?.types['lds']?.error).toBe('unknown cluster');
  });

  it('filters by namespace and rejects a malformed request with the field', async () => {
    const reply = await ask(JSON.stringify({ v: 1, namespace: 'shop' }));
    expect(reply.ok && proxyListResponse.parse(reply.result).proxies.map((p) => p.proxyId)).toEqual(['reviews-1']);
    const bad = await ask(JSON.stringify({ v: 1, namespace: 7 }));
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid-argument', issues: [{ path: 'namespace' }] } });
    expect(await ask('{not json')).toMatchObject({ ok: false, error: { code: 'WEFT_ERR_API_MALFORMED_REQUEST' } });
  });
});
