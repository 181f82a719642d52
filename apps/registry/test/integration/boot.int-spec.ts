import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { RegistryModule } from '../../src/app/registry.module';
import { RegistryService } from '../../src/registry/registry.service';
import { replicaConfig, silentLogger } from './registry-helpers';

/** The registry's Nest module assembled with the NestJS testing module, against real NATS/Redis. */
describe('registry module (NestJS testing module)', () => {
  let infra: TestInfra;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    infra = await createTestInfra('boot');
    const moduleRef = await Test.createTestingModule({
      imports: [RegistryModule.forRoot(replicaConfig(infra, 'boot-1'), silentLogger)],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await infra.close();
  });

  it('answers /healthz, and /readyz once NATS RPC, gRPC and membership are up', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; checks: Record<string, boolean> };
    expect(ready.ready).toBe(true);
    expect(Object.keys(ready.checks)).toEqual(expect.arrayContaining(['nats-rpc', 'grpc']));
  });

  it('serves Prometheus metrics of its own', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE weft_registry_heartbeats_total counter$/m);
    expect(metrics).toMatch(/^weft_registry_members \d+$/m);
  });

  it('wires one service layer behind the REST edge', async () => {
    const registry = app.get(RegistryService);
    await registry.upsertService({ namespace: 'boot', name: 'svc', hosts: [], ports: [{ name: 'http', number: 80, protocol: 'http' }], labels: {}, healthCheck: null });
    const res = await fetch(`${base}/v1/namespaces/boot/services/svc`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { hosts: string[] }).hosts).toEqual(['svc.boot.svc.cluster.local']);
  });
});
