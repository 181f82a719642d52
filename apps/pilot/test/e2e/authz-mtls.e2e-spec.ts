import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { callThrough, registerMeshedInstance, startPilot, startRegistry, upgradeThrough, VersionApp, weftctl, type PilotProcess, type Running } from './mesh-harness';
import { startCa, startMeshedSidecar, tokenFile, type CaProcess } from './mtls-harness';

/**
 * AuthorizationPolicy on identities, end to end: CA-backed sidecars (productpage → reviews over auto
 * mTLS, PERMISSIVE so plaintext still reaches the reviews sidecar), policies on `principals`,
 * `namespaces` and `when source.principal` applied with weftctl. The mTLS caller carries
 * `spiffe://cluster.local/ns/default/sa/productpage`; a plaintext caller carries no identity.
 */
const HOST = 'reviews:9080';
const NS = 'default';

function ap(name: string, spec: string): string {
  return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

interface Phase {
  readonly name: string;
  readonly yaml: string;
  /** Status through productpage's sidecar (mTLS) and straight to the reviews sidecar (plaintext). */
  readonly mtls: number;
  readonly plaintext: number;
}

const PHASES: readonly Phase[] = [
  { name: 'ALLOW principals [productpage]', yaml: ap('pp', 'rules:\n- from:\n  - source: {principals: [cluster.local/ns/default/sa/productpage]}'), mtls: 200, plaintext: 403 },
  { name: 'ALLOW principals [another identity]', yaml: ap('other', 'rules:\n- from:\n  - source: {principals: [cluster.local/ns/default/sa/ratings]}'), mtls: 403, plaintext: 403 },
  { name: 'ALLOW namespaces [default]', yaml: ap('ns', 'rules:\n- from:\n  - source: {namespaces: [default]}'), mtls: 200, plaintext: 403 },
  { name: 'DENY namespaces [default] (plaintext has no namespace)', yaml: ap('deny-ns', 'action: DENY\nrules:\n- from:\n  - source: {namespaces: [default]}'), mtls: 403, plaintext: 200 },
  {
    name: 'ALLOW when source.principal, notPrincipals in DENY',
    yaml: ap('when', 'rules:\n- when:\n  - key: source.principal\n    values: [cluster.local/ns/default/sa/productpage]') + '---\n' + ap('deny-unknown', 'action: DENY\nrules:\n- from:\n  - source: {notPrincipals: ["*"]}'),
    mtls: 200,
    plaintext: 403,
  },
];

describe('AuthorizationPolicy on mTLS identities (end to end)', () => {
  let infra: TestInfra;
  let dir: string;
  let ca: CaProcess;
  let registry: Running & { base: string };
  let pilot: PilotProcess;
  let app: VersionApp;
  let reviews: Running & { admin: string; inbound: number };
  let productpage: Running & { outbound: number; admin: string };
  const agent = new Agent({ keepAliveTimeout: 1, connections: 16 });
  let applied = '';

  async function plaintext(): Promise<number> {
    const res = await request(`http://127.0.0.1:${reviews.inbound}/`, { dispatcher: agent, headers: { host: HOST } });
    await res.body.text();
    return res.statusCode;
  }

  beforeAll(async () => {
    infra = await createTestInfra('authz-mtls-e2e');
    dir = mkdtempSync(join(tmpdir(), 'weft-authz-mtls-'));
    ca = await startCa(infra, join(dir, 'ca'));
    registry = await startRegistry(infra);
    pilot = await startPilot(infra, 'pilot-1');
    app = await new VersionApp('reviews', 'v1').start();
    const sidecar = async (service: string, labels: Record<string, string>, appPort?: number) =>
      startMeshedSidecar({
        xds: pilot.xds,
        ca: ca.grpc,
        tokenFile: await tokenFile(ca, dir, NS, service),
        service,
        nodeId: `sidecar~127.0.0.1~${service}.default`,
        labels,
        cacheFile: join(dir, `${service}.xds.json`),
        appPort,
      });
    reviews = await sidecar('reviews', { app: 'reviews', version: 'v1' }, app.port);
    productpage = await sidecar('productpage', { app: 'productpage' });
    await registerMeshedInstance(registry.base, NS, 'reviews', 9080, 'v1', reviews.inbound);
    await waitFor(async () => (await callThrough(agent, productpage.outbound, HOST)).status === 200, { timeoutMs: 15_000, what: 'reviews through productpage' });
  }, 60_000);

  afterAll(async () => {
    await agent.close();
    for (const p of [productpage, reviews, pilot, registry, ca]) await p?.proc.kill('SIGTERM');
    await app?.close();
    await infra?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(PHASES.map((p) => [p.name, p] as const))('%s', async (_name, phase) => {
    if (applied !== '') expect((await weftctl(pilot.http, ['delete', '-f', '-'], applied)).code).toBe(0);
    const out = await weftctl(pilot.http, ['apply', '-f', '-'], phase.yaml);
    expect(out.stderr).toBe('');
    applied = phase.yaml;
    const expected = `mtls ${phase.mtls}, plaintext ${phase.plaintext}`;
    const observe = async () => `mtls ${(await callThrough(agent, productpage.outbound, HOST)).status}, plaintext ${await plaintext()}`;
    await waitFor(async () => (await observe()) === expected, { timeoutMs: 15_000, what: `${phase.name}: ${expected}` }).catch(async (err: Error) => {
      expect(await observe()).toBe(expected);
      throw err;
    });
    const before = app.served;
    expect(await observe()).toBe(expected);
    expect(app.served - before).toBe([phase.mtls, phase.plaintext].filter((s) => s === 200).length);
  }, 30_000);

  it('a WebSocket upgrade goes through both pilot-configured sidecars over mTLS, and the RBAC filter refuses an unauthorised one', async () => {
    if (applied !== '') expect((await weftctl(pilot.http, ['delete', '-f', '-'], applied)).code).toBe(0);
    applied = PHASES[0].yaml; // ALLOW principals [productpage]: mTLS through productpage passes, plaintext does not
    expect((await weftctl(pilot.http, ['apply', '-f', '-'], applied)).stderr).toBe('');
    await waitFor(async () => (await callThrough(agent, productpage.outbound, HOST)).status === 200 && (await plaintext()) === 403, { timeoutMs: 15_000, what: 'the productpage-only policy' });
    const before = app.upgrades.length;
    const tunnelled = await upgradeThrough(productpage.outbound, HOST, 'hello over mTLS');
    expect(tunnelled).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(tunnelled.endsWith('\r\n\r\nhello over mTLS')).toBe(true);
    expect(app.upgrades.length - before).toBe(1);
    expect(app.upgrades[before]['x-request-id']).toEqual(expect.any(String));
    const refused = await upgradeThrough(reviews.inbound, HOST, 'never');
    expect(refused).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(refused).toContain('x-weft-error: WEFT_ERR_PROXY_RBAC_DENIED');
    expect(app.upgrades.length - before).toBe(1);
  }, 30_000);
});
