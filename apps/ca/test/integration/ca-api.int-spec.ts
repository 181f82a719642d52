import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { caTrustBundleSubject } from '@weft/api';
import { csrFor, newP256, opensslVerify, proofOf } from '../../src/testing/ca-fixtures';
import { generateCa } from '../../src/keys/ca-generator';
import { caGrpcClient, createToken, grpcCall, natsIssue, startCaProcess, type CaGrpcClient, type CaProcess } from './ca-helpers';

const A = 'spiffe://cluster.local/ns/default/sa/reviews';
const B = 'spiffe://cluster.local/ns/default/sa/ratings';
const ADMIN = 'admin-token-0123456789';

let infra: TestInfra;
let ca: CaProcess;
let client: CaGrpcClient;
let dir: string;
const bundles: { roots: string[] }[] = [];

beforeAll(async () => {
  infra = await createTestInfra('ca-api');
  infra.nats.subscribe(caTrustBundleSubject(infra.subjectPrefix), { callback: (_e, m) => void bundles.push(m.json<{ roots: string[] }>()) });
  await infra.nats.flush();
  dir = mkdtempSync(join(tmpdir(), 'weft-ca-api-'));
  ca = await startCaProcess(infra, dir, 'api-1', { WEFT_CA_ADMIN_TOKEN: ADMIN });
  client = caGrpcClient(ca.grpcAddress);
});

afterAll(async () => {
  client?.close();
  await ca?.proc.kill();
  await infra?.close();
});

const bearer = (token: string) => {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
};

describe('weft-ca over gRPC, NATS and HTTP', () => {
  it('issues over gRPC a chain that openssl verifies against GET /v1/trust-bundle', async () => {
    const root = await (await fetch(`${ca.httpUrl}/v1/trust-bundle`)).text();
    const { csr } = csrFor(A);
    const res = await grpcCall<{ certChain: string[] }>(client, 'CreateCertificate', { csr, validityDuration: 120 }, bearer(await createToken(ca, 'default', 'reviews', 600, ADMIN)));
    const [leaf, inter] = res.certChain as [string, string];
    expect((await opensslVerify(root, inter, leaf)).output).toMatch(/: OK/);
    const cert = new X509Certificate(leaf);
    expect(cert.subjectAltName).toBe(`URI:${A}`);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(120_000);
    const bundle = await grpcCall<{ roots: string[] }>(client, 'GetTrustBundle', {});
    expect(bundle.roots.join('')).toBe(root);
    await waitFor(() => bundles.length > 0, { what: 'the trust bundle on NATS' });
    expect(bundles[0]).toMatchObject({ v: 1, trustDomain: 'cluster.local', roots: [root], replica: 'api-1' });
  });

  it('refuses over gRPC with the status of the reason: B with A’s token, no token, a wrong renewal proof', async () => {
    const tokenA = await createToken(ca, 'default', 'reviews', 600, ADMIN);
    await expect(grpcCall(client, 'CreateCertificate', { csr: csrFor(B).csr }, bearer(tokenA))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(grpcCall(client, 'CreateCertificate', { csr: csrFor(A).csr })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const first = csrFor(A);
    const chain = (await grpcCall<{ certChain: string[] }>(client, 'CreateCertificate', { csr: first.csr }, bearer(tokenA))).certChain.join('');
    const next = csrFor(A);
    const renewal = (key = first.key) => {
      const md = new Metadata();
      md.set('x-weft-cert-chain', Buffer.from(chain).toString('base64'));
      md.set('x-weft-proof', proofOf(next.csr, key));
      return md;
    };
    const renewed = await grpcCall<{ certChain: string[] }>(client, 'CreateCertificate', { csr: next.csr, validityDuration: 60 }, renewal());
    expect(new X509Certificate(renewed.certChain[0] as string).subjectAltName).toBe(`URI:${A}`);
    await expect(grpcCall(client, 'CreateCertificate', { csr: next.csr }, renewal(newP256()))).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringMatching(/x-weft-proof/) });
  });

  it('answers NATS requests with the same checks: DNS SAN refused, renewal accepted', async () => {
    const token = await createToken(ca, 'default', 'reviews', 600, ADMIN);
    const dns = await natsIssue(infra, { csr: csrFor(A, newP256(), { dnsNames: ['reviews.default'] }).csr, token });
    expect(dns).toMatchObject({ ok: false, error: { code: 'WEFT_ERR_CA_CSR_SAN', kind: 'invalid-argument' } });
    const first = csrFor(A);
    const ok = await natsIssue(infra, { csr: first.csr, token, validitySeconds: 30 });
    if (!ok.ok) throw new Error(ok.error.message);
    const next = csrFor(A);
    const renewed = await natsIssue(infra, { csr: next.csr, certChain: ok.result.certChain.join(''), proof: proofOf(next.csr, first.key) });
    expect(renewed.ok).toBe(true);
    const bad = await natsIssue(infra, { csr: 'x' });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } });
  });

  it('requires the admin token for POST /v1/tokens, lists the audit and counts issuance in /metrics', async () => {
    await expect(createToken(ca, 'default', 'reviews')).rejects.toThrow(/401.*WEFT_ERR_CA_ADMIN_AUTH/);
    const audit = await waitFor(async () => {
      const body = (await (await fetch(`${ca.httpUrl}/v1/certs`)).json()) as { certificates: { identity: string; replica: string }[] };
      return body.certificates.length >= 4 ? body.certificates : undefined;
    }, { what: 'the audit in Redis' });
    expect(audit.every((c) => c.identity === A && c.replica === 'api-1')).toBe(true);
    const metrics = await (await fetch(`${ca.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/weft_ca_certificates_issued_total\{api="grpc",outcome="issued",via="token"\} \d+/);
    expect(metrics).toMatch(/weft_ca_certificates_issued_total\{api="grpc",outcome="WEFT_ERR_CA_IDENTITY_MISMATCH",via="token"\} 1/);
    expect(metrics).toContain('weft_ca_signing_duration_seconds_bucket');
    expect(metrics).toMatch(/weft_ca_certificate_expiry_timestamp_seconds\{cert="intermediate"\} \d+/);
    expect(ca.proc.logs.map((l) => JSON.stringify(l)).join('\n')).not.toMatch(/PRIVATE KEY|eyJhbGciOi/);
  });

  it('publishes a new trust bundle when root-cert.pem gains a root (rotation), and serves it', async () => {
    const before = bundles.length;
    appendFileSync(join(dir, 'root-cert.pem'), generateCa('cluster.local').rootCert);
    const event = await waitFor(() => bundles.slice(before).find((b) => b.roots.length === 2), { what: 'a two-root bundle on NATS', timeoutMs: 15_000 });
    const served = await (await fetch(`${ca.httpUrl}/v1/trust-bundle`)).text();
    expect(served).toBe(event.roots.join(''));
    const grpcBundle = await grpcCall<{ roots: string[] }>(client, 'GetTrustBundle', {});
    expect(grpcBundle.roots).toHaveLength(2);
  });
});
