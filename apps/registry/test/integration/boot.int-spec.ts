import { createTestInfra, type TestInfra } from '@weft/testing';
import { startReplica } from './registry-helpers';
import type { RunningRegistry } from '../../src/app/bootstrap';

describe('registry replica boot', () => {
  let infra: TestInfra;
  let replica: RunningRegistry;
  beforeAll(async () => {
    infra = await createTestInfra('boot');
    replica = await startReplica(infra, 'boot-1');
  });
  afterAll(async () => {
    await replica.close();
    await infra.close();
  });

  it('answers /healthz, /readyz and /metrics on its HTTP port', async () => {
    const base = `http://127.0.0.1:${replica.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('weft_registry_heartbeats_total');
  });
});
