import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { credentials, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { Agent } from 'undici';
import { createTestInfra, startProcess, waitFor, withDeadline, type TestInfra } from '@weft/testing';
import { CaClient, buildWorkloadCsr, newWorkloadKey, spiffeId } from '@weft/x509';
import { adsDefinition, TYPE_URL } from '@weft/xds';
import { callThrough, registerService, startRegistry, VersionApp, weftctl, type Running } from './mesh-harness';
import { meshedSidecarArgs, startCa, startMeshedSidecar, startTlsPilot, tokenFile, type CaProcess, type TlsPilotProcess } from './mtls-harness';

/**
 * xDS over mutual TLS on pilot's TLS port (Istio's 15012), every component a real process: pilot
 * obtains its own SVID (weft-system/weft-pilot) from weft-ca with a bootstrap token, serves ADS with
 * it and requires client certificates of the trust bundle; sidecars started with --xds-tls present
 * their SVIDs and verify pilot's identity.
 */
const NS = 'default';
const PILOT_ID = spiffeId('cluster.local', 'weft-system', 'weft-pilot');
const ROGUE_ID = spiffeId('cluster.local', 'rogue', 'weft-pilot');

interface Credential {
  readonly keyPem: string;
  readonly chainPem: string;
  readonly rootsPem: string;
}

/** A certificate for `namespace/sa` from a CA process, obtained over its gRPC API like a workload does. */
async function certificateFrom(ca: CaProcess, dir: string, namespace: string, sa: string): Promise<Credential> {
  const token = readFileSync(await tokenFile(ca, dir, namespace, sa), 'utf8');
  const key = newWorkloadKey();
  const client = new CaClient(ca.grpc);
  try {
    const chain = await client.createCertificate(buildWorkloadCsr(key, spiffeId('cluster.local', namespace, sa)).pem, 60, { kind: 'token', token });
    const roots = await client.trustBundle();
    return { keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, chainPem: chain.join('\n'), rootsPem: roots.join('\n') };
  } finally {
    client.close();
  }
}

/** mTLS channel credentials that trust `roots` and accept any server name (the probe is not the test subject). */
function tlsCredentials(c: Credential, rootsPem: string): ChannelCredentials {
  return credentials.createSsl(Buffer.from(rootsPem), Buffer.from(c.keyPem), Buffer.from(c.chainPem), { checkServerIdentity: () => undefined });
}

type AdsOutcome = { readonly accepted: true } | { readonly accepted: false; readonly code: number; readonly details: string };

/** Opens a delta ADS stream with a node of `namespace` and waits for the first response or the error. */
async function probeAds(address: string, creds: ChannelCredentials, namespace: string): Promise<AdsOutcome> {
  const { Client } = adsDefinition();
  const client = new Client(address, creds, { 'grpc.ssl_target_name_override': 'weft-pilot' });
  const call = (client as unknown as { DeltaAggregatedResources(): NodeJS.EventEmitter & { write(m: unknown): void; cancel(): void } }).DeltaAggregatedResources();
  try {
    const outcome = new Promise<AdsOutcome>((resolve) => {
      call.on('data', () => resolve({ accepted: true }));
      call.on('error', (err: ServiceError) => resolve({ accepted: false, code: err.code, details: err.details }));
    });
    call.write({
      node: { id: `probe~127.0.0.1~probe.${namespace}`, user_agent_name: 'weft-proxy', metadata: { fields: { NAMESPACE: { stringValue: namespace, kind: 'stringValue' } } } },
      type_url: TYPE_URL.cluster,
      resource_names_subscribe: ['*'],
    });
    return await withDeadline(outcome, 15_000, `an answer from ${address}`);
  } finally {
    call.cancel();
    client.close();
  }
}

/** The certificate a new TLS connection to `address` is served. */
function servedCertificate(address: string, c: Credential): Promise<PeerCertificate> {
  const [host, port] = address.split(':') as [string, string];
  return withDeadline(
    new Promise<PeerCertificate>((resolve, reject) => {
      const socket = connect({ host, port: Number(port), key: c.keyPem, cert: c.chainPem, ca: c.rootsPem, ALPNProtocols: ['h2'], servername: 'weft-pilot', checkServerIdentity: () => undefined });
      socket.once('secureConnect', () => {
        resolve(socket.getPeerCertificate());
        socket.destroy();
      });
      socket.once('error', reject);
    }),
    10_000,
    `a TLS handshake with ${address}`,
  );
}

describe('xDS over mutual TLS (pilot TLS port, --xds-tls sidecars, end to end)', () => {
  let infra: TestInfra;
  let dir: string;
  let ca: CaProcess;
  let otherCa: CaProcess;
  let registry: Running & { base: string };
  let pilot: TlsPilotProcess;
  let rogue: TlsPilotProcess | undefined;
  let app: VersionApp;
  let productpage: Running & { outbound: number; admin: string };
  const extra: Running[] = [];
  const agent = new Agent({ keepAliveTimeout: 1, connections: 8 });

  beforeAll(async () => {
    infra = await createTestInfra('xds-tls-e2e');
    dir = mkdtempSync(join(tmpdir(), 'weft-xds-tls-e2e-'));
    ca = await startCa(infra, join(dir, 'ca'));
    registry = await startRegistry(infra);
    // 6 s certificates: pilot renews about every 3 s.
    pilot = await startTlsPilot(infra, { id: 'pilot-tls', ca: ca.grpc, tokenFile: await tokenFile(ca, dir, 'weft-system', 'weft-pilot'), certLifetimeS: 6 });
    app = await new VersionApp('reviews', 'v1').start();
    await registerService(registry.base, NS, 'reviews', 9080, [app]);
    productpage = await startMeshedSidecar({
      xds: pilot.xdsTls,
      ca: ca.grpc,
      tokenFile: await tokenFile(ca, dir, NS, 'productpage'),
      service: 'productpage',
      nodeId: 'sidecar~127.0.0.1~productpage.default',
      labels: { app: 'productpage' },
      cacheFile: join(dir, 'productpage.xds.json'),
      xdsTls: true,
    });
  }, 90_000);

  afterAll(async () => {
    await agent.close();
    for (const p of [...extra, productpage, rogue, pilot, registry, otherCa, ca]) await p?.proc.kill('SIGTERM');
    await app?.close();
    await infra?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('pilot holds its own SVID (weft-system/weft-pilot) and a --xds-tls sidecar gets its config over the TLS port and carries traffic', async () => {
    expect(pilot.proc.logs.find((l) => l['msg'] === 'mutual-TLS xds port serving')?.['spiffeId']).toBe(PILOT_ID);
    await waitFor(async () => (await callThrough(agent, productpage.outbound, 'reviews:9080')).version === 'v1', { timeoutMs: 15_000, what: 'reviews through productpage' });
    // Pilot saw the sidecar's verified identity on the stream.
    const opened = pilot.proc.logs.find((l) => l['msg'] === 'xds stream opened' && l['proxy'] === 'sidecar~127.0.0.1~productpage.default');
    expect(opened?.['peer']).toBe(spiffeId('cluster.local', NS, 'productpage'));
    const status = (await (await fetch(`${pilot.http}/v1/proxies/${encodeURIComponent('sidecar~127.0.0.1~productpage.default')}`)).json()) as Record<string, unknown>;
    expect(status['peerIdentity']).toBe(spiffeId('cluster.local', NS, 'productpage'));
    const ps = await weftctl(pilot.http, ['proxy-status']);
    expect(ps.stdout).toMatch(/sidecar~127\.0\.0\.1~productpage\.default\s+default\s+.*\s+ns\/default\/sa\/productpage\s/);
    const dump = (await (await fetch(`${productpage.admin}/config_dump`)).json()) as { xds: { server: string; connected: boolean; tls: unknown } };
    expect(dump.xds).toMatchObject({ server: pilot.xdsTls, connected: true, tls: { serverIdentity: PILOT_ID } });
  });

  it('the TLS port refuses a plaintext client, a certificate of another CA, and a certificate of another namespace than the node claims', async () => {
    otherCa = await startCa(infra, join(dir, 'other-ca'));
    const mine = await certificateFrom(ca, dir, NS, 'probe');
    const foreign = await certificateFrom(otherCa, dir, NS, 'probe');

    const plaintext = await probeAds(pilot.xdsTls, credentials.createInsecure(), NS);
    expect(plaintext).toMatchObject({ accepted: false, code: 14 });
    const other = await probeAds(pilot.xdsTls, tlsCredentials(foreign, mine.rootsPem), NS);
    expect(other).toMatchObject({ accepted: false, code: 14 });
    const wrongNamespace = await probeAds(pilot.xdsTls, tlsCredentials(mine, mine.rootsPem), 'prod');
    expect(wrongNamespace).toMatchObject({ accepted: false, code: 7 });
    expect(wrongNamespace.accepted ? '' : wrongNamespace.details).toMatch(
      /spiffe:\/\/cluster\.local\/ns\/default\/sa\/probe is in namespace "default" but the node metadata NAMESPACE is "prod"/,
    );
    // The same certificate with its own namespace is served: the refusals above were the checks.
    expect(await probeAds(pilot.xdsTls, tlsCredentials(mine, mine.rootsPem), NS)).toEqual({ accepted: true });
  });

  it('a sidecar refuses a pilot presenting another identity (expected vs presented logged) and moves on to the next replica', async () => {
    rogue = await startTlsPilot(infra, { id: 'pilot-rogue', ca: ca.grpc, tokenFile: await tokenFile(ca, dir, 'rogue', 'weft-pilot'), namespace: 'rogue' });
    const details = await startMeshedSidecar({
      xds: `${rogue.xdsTls},${pilot.xdsTls}`,
      ca: ca.grpc,
      tokenFile: await tokenFile(ca, dir, NS, 'details'),
      service: 'details',
      nodeId: 'sidecar~127.0.0.1~details.default',
      labels: { app: 'details' },
      cacheFile: join(dir, 'details.xds.json'),
      xdsTls: true,
    });
    extra.push(details);
    const mismatch = details.proc.logs.find((l) => l['msg'] === 'xds server identity mismatch: connection refused');
    expect(mismatch).toMatchObject({ expected: PILOT_ID, presented: ROGUE_ID });
    expect((await callThrough(agent, details.outbound, 'reviews:9080')).version).toBe('v1');
    expect(rogue.proc.logs.some((l) => l['msg'] === 'xds stream opened' && l['proxy'] === 'sidecar~127.0.0.1~details.default')).toBe(false);
  });

  it('a sidecar expecting another pilot identity never connects, and says why', async () => {
    const expected = spiffeId('cluster.local', 'weft-system', 'other-pilot');
    const args = await meshedSidecarArgs({
      xds: pilot.xdsTls,
      ca: ca.grpc,
      tokenFile: await tokenFile(ca, dir, NS, 'ratings'),
      service: 'ratings',
      nodeId: 'sidecar~127.0.0.1~ratings.default',
      labels: { app: 'ratings' },
      cacheFile: join(dir, 'ratings.xds.json'),
      xdsTls: true,
      xdsIdentity: expected,
    });
    const { proc, readyLog } = await startProcess({
      name: 'proxy ratings',
      command: process.execPath,
      args,
      env: { WEFT_PROXY_LOG_LEVEL: 'info' },
      ready: (l) => l['msg'] === 'xds server identity mismatch: connection refused',
    });
    extra.push({ proc, ready: readyLog });
    expect(readyLog).toMatchObject({ expected, presented: PILOT_ID });
    await waitFor(() => proc.logs.some((l) => l['msg'] === 'xds stream closed' && String(l['reason']).includes(`expected ${expected}, presented ${PILOT_ID}`)), {
      timeoutMs: 10_000,
      what: 'the closed stream naming both identities',
    });
    expect(proc.logs.some((l) => l['msg'] === 'proxy ready')).toBe(false);
    expect(pilot.proc.logs.some((l) => l['msg'] === 'xds stream opened' && l['proxy'] === 'sidecar~127.0.0.1~ratings.default')).toBe(false);
  });

  it("pilot's certificate renews: new connections get the new one, open streams stay, a sidecar connecting afterwards gets its config", async () => {
    const probe = await certificateFrom(ca, dir, NS, 'probe');
    const before = await servedCertificate(pilot.xdsTls, probe);
    const renewals = (): number => pilot.proc.logs.filter((l) => l['msg'] === 'workload certificate installed' && l['renewal'] === true).length;
    const seen = renewals();
    await waitFor(() => renewals() > seen, { timeoutMs: 15_000, what: "a renewal of pilot's certificate" });
    const after = await waitFor(async () => {
      const served = await servedCertificate(pilot.xdsTls, probe);
      return served.serialNumber !== before.serialNumber ? served : null;
    }, { timeoutMs: 10_000, what: 'the renewed certificate on a new connection' });
    expect(after.subjectaltname).toBe(`URI:${PILOT_ID}`);

    // The stream opened before the renewals is still the same one.
    const streamsOfProductpage = pilot.proc.logs.filter((l) => l['proxy'] === 'sidecar~127.0.0.1~productpage.default' && l['msg'] === 'xds stream opened');
    expect(streamsOfProductpage).toHaveLength(1);
    expect((await callThrough(agent, productpage.outbound, 'reviews:9080')).version).toBe('v1');

    const reviewsSidecar = await startMeshedSidecar({
      xds: pilot.xdsTls,
      ca: ca.grpc,
      tokenFile: await tokenFile(ca, dir, NS, 'late'),
      service: 'late',
      nodeId: 'sidecar~127.0.0.1~late.default',
      labels: { app: 'late' },
      cacheFile: join(dir, 'late.xds.json'),
      xdsTls: true,
    });
    extra.push(reviewsSidecar);
    expect((await callThrough(agent, reviewsSidecar.outbound, 'reviews:9080')).version).toBe('v1');
  });
});
