import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestInfra, Collector, type TestInfra } from '@weft/testing';
import { startPilot, startRegistry, type PilotProcess, type Running } from './mesh-harness';
import { startCa, startMeshedSidecar, tokenFile, type CaProcess } from './mtls-harness';

/**
 * A sidecar given both CA replicas (`--ca a,b`) keeps renewing its certificate when the replica it
 * used dies: two weft-ca processes share one key directory; the first is SIGKILLed between renewals
 * of a short-lived certificate; renewals continue through the second, all chained to the same root.
 */
describe('CA replica killed: issuance continues for the proxies', () => {
  let infra: TestInfra;
  let dir: string;
  let registry: Running;
  let pilot: PilotProcess;
  const cas: CaProcess[] = [];
  let sidecar: Running | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-ca-failover-'));
    infra = await createTestInfra('ca-failover');
    registry = await startRegistry(infra);
    pilot = await startPilot(infra, 'pilot-ca');
    cas.push(await startCa(infra, join(dir, 'ca')), await startCa(infra, join(dir, 'ca')));
  });

  afterAll(async () => {
    await sidecar?.proc.kill('SIGKILL');
    await Promise.all(cas.map((c) => c.proc.kill('SIGKILL')));
    await pilot?.proc.kill('SIGKILL');
    await registry?.proc.kill('SIGTERM');
    await infra?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renews through the surviving replica', async () => {
    const [first, second] = cas as [CaProcess, CaProcess];
    const installed = new Collector<Record<string, unknown>>();
    sidecar = await startMeshedSidecar({
      xds: pilot.xds,
      ca: `${first.grpc},${second.grpc}`,
      tokenFile: await tokenFile(first, dir, 'default', 'reviews'),
      service: 'reviews',
      nodeId: 'sidecar~127.0.0.1~reviews-ca.default',
      labels: { app: 'reviews' },
      cacheFile: join(dir, 'cache.json'),
      certLifetimeS: 4,
    });
    const proc = sidecar.proc;
    const seen = (): Record<string, unknown>[] => proc.logs.filter((l) => l['msg'] === 'workload certificate installed');
    const poll = setInterval(() => {
      for (const l of seen().slice(installed.items.length)) installed.push(l);
    }, 20);
    try {
      await installed.until((items) => items.length >= 1, { what: 'the first certificate' });
      await first.proc.kill('SIGKILL');
      const before = installed.items.length;
      // Two renewals after the kill (each at half of a 4 s lifetime), both by proof of possession:
      // without failover every attempt would go to the dead replica and none would arrive.
      const after = await installed.until((items) => items.length >= before + 2, { timeoutMs: 20_000, what: 'renewals through the second replica' });
      expect(after.slice(before).every((l) => l['renewal'] === true)).toBe(true);
    } finally {
      clearInterval(poll);
    }
  });
});
