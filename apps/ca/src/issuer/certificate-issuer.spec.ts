import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCaMaterial, type CaMaterial } from '../keys/key-material';
import { signToken } from '../tokens/bootstrap-token';
import { csrFor, newP256, opensslVerify, proofOf } from '../testing/ca-fixtures';
import { CertificateIssuer } from './certificate-issuer';
import type { IssueCredentials } from './issuer.types';

const TD = 'cluster.local';
const A = `spiffe://${TD}/ns/default/sa/reviews`;
const B = `spiffe://${TD}/ns/default/sa/ratings`;
const policy = { trustDomain: TD, defaultTtlSeconds: 86_400, maxTtlSeconds: 7 * 86_400, minTtlSeconds: 2, replica: 'r1' };

let material: CaMaterial;
let issuer: CertificateIssuer;
beforeAll(async () => {
  material = await loadOrCreateCaMaterial(mkdtempSync(join(tmpdir(), 'weft-ca-spec-')), TD);
  issuer = new CertificateIssuer(material, policy);
});

const token = (sub: string, ttl = 600, now = Date.now()): IssueCredentials => ({ kind: 'token', token: signToken(material.tokenKey, sub, ttl, now).token });
const issue = (csr: string, credentials: IssueCredentials, validitySeconds = 3600) => issuer.issue({ csr, credentials, validitySeconds, api: 'nats' });

describe('CertificateIssuer', () => {
  it('issues a leaf that openssl verifies, with only the SPIFFE URI SAN, P-256 and the requested lifetime', async () => {
    const { result } = issue(csrFor(A).csr, token(A), 3600);
    const [leafPem, interPem, rootPem] = result.certChain as [string, string, string];
    const verified = await opensslVerify(rootPem, interPem, leafPem);
    expect(verified.output).toContain('OK');
    expect(verified.ok).toBe(true);
    expect(rootPem).toBe(material.rootPems[0]);
    const leaf = new X509Certificate(leafPem);
    expect(leaf.subjectAltName).toBe(`URI:${A}`);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)).toBe(3600_000);
    expect(leaf.ca).toBe(false);
    expect(leaf.serialNumber.toLowerCase()).toBe(result.serial);
  });

  it('uses the default lifetime for 0 and caps at the maximum', () => {
    const life = (s: number) => {
      const leaf = new X509Certificate(issue(csrFor(A).csr, token(A), s).result.certChain[0] as string);
      return (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 1000;
    };
    expect(life(0)).toBe(86_400);
    expect(life(30 * 86_400)).toBe(7 * 86_400);
    expect(() => life(1)).toThrow(/below the minimum/);
  });

  it('refuses a token for A asking for B', () => {
    expect(() => issue(csrFor(B).csr, token(A))).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_IDENTITY_MISMATCH', kind: 'permission-denied' }));
  });

  it('refuses expired, re-signed, alg none and wrong-issuer tokens', () => {
    const { csr } = csrFor(A);
    expect(() => issue(csr, token(A, 60, Date.now() - 120_000))).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_TOKEN_EXPIRED' }));
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(() => issue(csr, { kind: 'token', token: signToken(other, A, 600).token })).toThrow(/bad signature/);
    const [, payload] = (token(A) as { token: string }).token.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(() => issue(csr, { kind: 'token', token: none })).toThrow(/algorithm "none" is not accepted/);
    const claims = Buffer.from(JSON.stringify({ iss: 'evil', sub: A, iat: 1, exp: 9e9 })).toString('base64url');
    const forged = (token(A) as { token: string }).token.split('.');
    expect(() => issue(csr, { kind: 'token', token: `${forged[0]}.${claims}.${forged[2]}` })).toThrow(/bad signature/);
    expect(() => issue(csr, { kind: 'none' })).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_AUTH_MISSING' }));
  });

  it('refuses a CSR with an extra DNS SAN, two URIs, a foreign trust domain or a bad signature', () => {
    expect(() => issue(csrFor(A, newP256(), { dnsNames: ['reviews'] }).csr, token(A))).toThrow(/only one URI SAN; it also asks for DNS/);
    expect(() => issue(csrFor(A, newP256(), { signWith: newP256() }).csr, token(A))).toThrow(/signature does not verify/);
    const evil = 'spiffe://evil.org/ns/default/sa/reviews';
    expect(() => issue(csrFor(evil).csr, token(evil))).toThrow(/trust domain evil.org/);
    expect(() => issue('not a csr', token(A))).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_CSR_INVALID' }));
  });

  it('refuses a non-P-256 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => issue(csrFor(A, rsa).csr, token(A))).toThrow(/must be ECDSA P-256/);
  });

  it('renews with proof of possession of the current key, and refuses a wrong proof or another identity', () => {
    const first = csrFor(A);
    const chain = issue(first.csr, token(A)).result.certChain.join('');
    const next = csrFor(A);
    const renewed = issue(next.csr, { kind: 'renewal', certChain: chain, proof: Buffer.from(proofOf(next.csr, first.key), 'base64') });
    expect(new X509Certificate(renewed.result.certChain[0] as string).subjectAltName).toBe(`URI:${A}`);
    const wrong = { kind: 'renewal' as const, certChain: chain, proof: Buffer.from(proofOf(next.csr, newP256()), 'base64') };
    expect(() => issue(next.csr, wrong)).toThrow(/x-weft-proof is not a signature/);
    const forB = csrFor(B);
    const asB = { kind: 'renewal' as const, certChain: chain, proof: Buffer.from(proofOf(forB.csr, first.key), 'base64') };
    expect(() => issue(forB.csr, asB)).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_IDENTITY_MISMATCH' }));
  });

  it('refuses a renewal with an expired certificate or one from another CA', async () => {
    const first = csrFor(A);
    const chain = issue(first.csr, token(A), 60).result.certChain.join('');
    const next = csrFor(A);
    const proof = Buffer.from(proofOf(next.csr, first.key), 'base64');
    const later = Date.now() + 61_000;
    expect(() => issuer.issue({ csr: next.csr, credentials: { kind: 'renewal', certChain: chain, proof }, validitySeconds: 60, api: 'grpc' }, later)).toThrow(/current certificate expired/);
    const other = await loadOrCreateCaMaterial(mkdtempSync(join(tmpdir(), 'weft-ca-other-')), TD);
    const foreign = new CertificateIssuer(other, policy);
    const foreignChain = foreign.issue({ csr: first.csr, credentials: { kind: 'token', token: signToken(other.tokenKey, A, 60).token }, validitySeconds: 60, api: 'grpc' }).result.certChain.join('');
    expect(() => issue(next.csr, { kind: 'renewal', certChain: foreignChain, proof })).toThrow(/not issued by this CA/);
  });

  it('never issues a leaf that outlives the intermediate', () => {
    const interEnd = Date.parse(material.intermediate.validTo);
    const now = interEnd - 3600_000;
    const csr = csrFor(A).csr;
    const { result } = issuer.issue({ csr, credentials: token(A, 600, now), validitySeconds: 86_400, api: 'nats' }, now);
    expect(new X509Certificate(result.certChain[0] as string).validTo).toBe(material.intermediate.validTo);
  });
});
