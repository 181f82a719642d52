import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { callThrough, registerMeshedInstance, startPilot, startRegistry, VersionApp, weftctl, type PilotProcess, type Running } from './mesh-harness';
import { startCa, startMeshedSidecar, tokenFile, type CaProcess } from './mtls-harness';

/**
 * mTLS end to end, every component a real process: two weft-ca replicas sharing one key directory
 * issue each sidecar its SVID from a bootstrap token (and renew it by proof of possession); pilot gives the sidecars auto mTLS (the
 * reviews instance is labelled tlsMode=istio) and translates PeerAuthentication applied with weftctl
 * into the reviews sidecar's inbound listener: PERMISSIVE by default, then STRICT, then back.
 */
const HOST = 'reviews:9080';
const NS = 'default';
const PRODUCTPAGE = 'spiffe://cluster.local/ns/default/sa/productpage';

function peerAuthentication(mode: string): string {
  return `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: ${NS}}\nspec: {mtls: {mode: ${mode}}}\n`;
}

/**
 * A plaintext client straight to the reviews sidecar's inbound port, on a new connection each time (a
 * mode change applies to new connections): the status, or 0 when the connection is refused.
 */
async function plaintext(port: number): Promise<number> {
  const fresh = new Agent({ pipelining: 0 });
  try {
    const res = await request(`http://127.0.0.1:${port}/`, { dispatcher: fresh, headers: { host: HOST } });
    await res.body.text();
    return res.statusCode;
  } catch {
    return 0;
  } finally {
    await fresh.destroy();
  }
}

describe('mTLS between CA-backed sidecars configured by pilot (end to end)', () => {
  let infra: TestInfra;
  let dir: string;
  let ca: CaProcess;
  let ca2: CaProcess;
  let registry: Running & { base: string };
  let pilot: PilotProcess;
  let app: VersionApp;
  let reviews: Running & { admin: string; inbound: number };
  let productpage: Running & { outbound: number; admin: string };
  const agent = new Agent({ keepAliveTimeout: 1, connections: 16 });

  beforeAll(async () => {
    infra = await createTestInfra('mtls-e2e');
    dir = mkdtempSync(join(tmpdir(), 'weft-mtls-e2e-'));
    ca = await startCa(infra, join(dir, 'ca'));
    ca2 = await startCa(infra, join(dir, 'ca'));
    const cas = `${ca.grpc},${ca2.grpc}`;
    registry = await startRegistry(infra);
    pilot = await startPilot(infra, 'pilot-1');
    app = await new VersionApp('reviews', 'v1').start();
    reviews = await startMeshedSidecar({
      xds: pilot.xds,
      ca: cas,
      tokenFile: await tokenFile(ca, dir, NS, 'reviews'),
      service: 'reviews',
      nodeId: 'sidecar~127.0.0.1~reviews-v1.default',
      labels: { app: 'reviews', version: 'v1' },
      cacheFile: join(dir, 'reviews.xds.json'),
      appPort: app.port,
      certLifetimeS: 4,
    });
    productpage = await startMeshedSidecar({
      xds: pilot.xds,
      ca: cas,
      tokenFile: await tokenFile(ca, dir, NS, 'productpage'),
      service: 'productpage',
      nodeId: 'sidecar~127.0.0.1~productpage.default',
      labels: { app: 'productpage' },
      cacheFile: join(dir, 'productpage.xds.json'),
      certLifetimeS: 4,
    });
    // The reviews endpoint is its sidecar's inbound port, labelled as meshed (auto mTLS).
    await registerMeshedInstance(registry.base, NS, 'reviews', 9080, 'v1', reviews.inbound);
  }, 60_000);

  afterAll(async () => {
    await agent.close();
    for (const p of [productpage, reviews, pilot, registry, ca, ca2]) await p?.proc.kill('SIGTERM');
    await app?.close();
    await infra?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('auto mTLS by default (PERMISSIVE): the call is mutual TLS with both principals; plaintext is still served', async () => {
    await waitFor(async () => (await callThrough(agent, productpage.outbound, HOST)).status === 200, { timeoutMs: 15_000, what: 'reviews through productpage' });
    const metrics = await (await fetch(`${reviews.admin}/stats/prometheus`)).text();
    expect(metrics).toMatch(new RegExp(`istio_requests_total\\{[^}]*connection_security_policy="mutual_tls"[^}]*source_principal="${PRODUCTPAGE}"[^}]*destination_principal="spiffe://cluster.local/ns/default/sa/reviews"[^}]*\\} [1-9]`));
    expect(await plaintext(reviews.inbound)).toBe(200);
  });

  it('STRICT applied with weftctl refuses plaintext; mTLS keeps working; back to PERMISSIVE serves plaintext again', async () => {
    const applied = await weftctl(pilot.http, ['apply', '-f', '-'], peerAuthentication('STRICT'));
    expect(applied.code).toBe(0);
    await waitFor(async () => (await plaintext(reviews.inbound)) === 0, { timeoutMs: 10_000, what: 'plaintext refused under STRICT' });
    expect((await callThrough(agent, productpage.outbound, HOST)).status).toBe(200);
    expect((await weftctl(pilot.http, ['apply', '-f', '-'], peerAuthentication('PERMISSIVE'))).code).toBe(0);
    await waitFor(async () => (await plaintext(reviews.inbound)) === 200, { timeoutMs: 10_000, what: 'plaintext served under PERMISSIVE' });
  });

  it('certificates rotate at half life under load while a CA replica is SIGKILLed: no failed request, issuance continues', async () => {
    const renewals = (p: Running): Record<string, unknown>[] => p.proc.logs.filter((l) => l['msg'] === 'workload certificate installed' && l['renewal'] === true);
    const outcomes: number[] = [];
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) outcomes.push((await callThrough(agent, productpage.outbound, HOST)).status);
    };
    const workers = [worker(), worker(), worker(), worker()];
    let afterKill = { reviews: 0, productpage: 0 };
    try {
      await waitFor(() => outcomes.length >= 50, { timeoutMs: 10_000, what: 'traffic flowing' });
      // Both sidecars use the first replica until it fails (`--ca a,b`): kill it mid-traffic.
      await ca.proc.kill('SIGKILL');
      afterKill = { reviews: renewals(reviews).length, productpage: renewals(productpage).length };
      // 4 s certificates renew every ~2 s: two renewals of each side after the kill, by proof of
      // possession through the surviving replica, while the traffic keeps running.
      await waitFor(() => renewals(reviews).length >= afterKill.reviews + 2 && renewals(productpage).length >= afterKill.productpage + 2, {
        timeoutMs: 25_000,
        what: 'renewals of both sidecars through the surviving CA replica',
      });
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(outcomes.length).toBeGreaterThan(100);
    expect(outcomes.filter((s) => s !== 200)).toEqual([]);
    const issuedByReplica2 = await (await fetch(`${ca2.http}/metrics`)).text();
    expect(issuedByReplica2).toMatch(/weft_ca_certificates_issued_total\{[^}]*outcome="issued"[^}]*\} [1-9]/);
  });

  it('a server presenting another identity than the DestinationRule expects is refused by the calling proxy', async () => {
    const dr = `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: ${NS}}\nspec:\n  host: reviews\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL, subjectAltNames: ["spiffe://cluster.local/ns/default/sa/ratings"]}}\n`;
    expect((await weftctl(pilot.http, ['apply', '-f', '-'], dr)).code).toBe(0);
    let last: { status: number; error: string } = { status: 0, error: '' };
    await waitFor(
      async () => {
        const res = await request(`http://127.0.0.1:${productpage.outbound}/`, { dispatcher: agent, headers: { host: HOST } });
        await res.body.text();
        last = { status: res.statusCode, error: String(res.headers['x-weft-error'] ?? '') };
        return last.status === 503;
      },
      { timeoutMs: 10_000, what: 'identity mismatch refused' },
    );
    expect(last.error).toMatch(/expected cluster\.local\/ns\/default\/sa\/ratings, presented cluster\.local\/ns\/default\/sa\/reviews/);
  });
});
