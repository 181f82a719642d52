import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { RegistryService } from '../../src/registry/registry.service';
import { StaticSource } from '../../src/static/static-source';
import type { RunningRegistry } from '../../src/app/bootstrap';
import { startReplica } from './registry-helpers';

const entry = (endpoints: string) => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: details, namespace: shop}
spec:
  hosts: [details.shop.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
${endpoints}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: legacy, namespace: shop}
spec:
  hosts: [legacy.example.com]
  ports: [{number: 443, name: tls, protocol: TCP}]
`;

describe('static source file (ServiceEntry/WorkloadEntry), loaded at start and reloaded on change', () => {
  let infra: TestInfra;
  let replica: RunningRegistry;
  let dir: string;
  let file: string;
  let registry: RegistryService;
  let source: StaticSource;

  const ids = async () =>
    (await registry.listInstances({ namespace: 'shop', service: 'details', selector: '', healthyOnly: false })).instances.map(
      (i) => `${i.id}@${i.address}:${i.weight}`,
    );

  beforeAll(async () => {
    infra = await createTestInfra('static');
    dir = mkdtempSync(join(tmpdir(), 'weft-static-'));
    file = join(dir, 'static.yaml');
    writeFileSync(file, entry('  - {address: 10.0.0.1}\n  - {address: 10.0.0.2, weight: 2}'));
    replica = await startReplica(infra, 'static-1', { WEFT_REGISTRY_STATIC_FILE: file, WEFT_REGISTRY_STATIC_POLL_MS: '50' });
    registry = replica.app.get(RegistryService);
    source = replica.app.get(StaticSource);
  });
  afterAll(async () => {
    await replica.close();
    await infra.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the file’s services and instances once ready', async () => {
    expect((await fetch(`http://127.0.0.1:${replica.httpPort}/readyz`)).status).toBe(200);
    expect(await ids()).toEqual(['details-0@10.0.0.1:1', 'details-1@10.0.0.2:2']);
    const legacy = await registry.getService({ namespace: 'shop', name: 'legacy' });
    expect(legacy).toMatchObject({ source: 'static', hosts: ['legacy.example.com'] });
  });

  it('refuses API changes to entries the file manages', async () => {
    await expect(registry.deregister({ namespace: 'shop', service: 'details', id: 'details-0' })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('applies an edited file: changed and removed entries follow the file', async () => {
    writeFileSync(file, entry('  - {address: 10.0.0.9, weight: 5}').split('---')[0]);
    await waitFor(async () => (await ids()).join() === 'details-0@10.0.0.9:5' || undefined, { what: 'reload applied' });
    await waitFor(async () => (await registry.listServices('shop')).map((s) => s.name).join() === 'details' || undefined, {
      what: 'legacy removed',
    });
  });

  it('keeps the last good state when the file becomes invalid', async () => {
    const before = source.applied;
    const rejected = source.rejected;
    writeFileSync(file, entry('  - {address: "not valid!"}'));
    await waitFor(() => source.rejected > rejected || undefined, { what: 'the bad file to be read and refused' });
    expect(source.applied).toBe(before);
    expect(await ids()).toEqual(['details-0@10.0.0.9:5']);
    writeFileSync(file, entry('  - {address: 10.0.0.10}'));
    await waitFor(() => source.applied > before || undefined, { what: 'good file applied after a bad one' });
    expect(await ids()).toEqual(['details-0@10.0.0.10:1']);
  });
});
