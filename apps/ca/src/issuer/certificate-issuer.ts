import { createPublicKey, type KeyObject } from 'node:crypto';
import { CA_ERR, caError } from '../errors';
import { parseSpiffeUri } from '../identity/spiffe';
import type { CaMaterial } from '../keys/key-material';
import { verifyToken } from '../tokens/bootstrap-token';
import { LeafSigner, toPem, verifyCsr } from '@weft/x509';
import { verifyRenewal } from './renewal';
import type { IssuanceRecord, IssueCredentials, IssuerPolicy, IssueRequest, IssueResult } from './issuer.types';

/**
 * The CA's core, free of NestJS and I/O: authenticates a CSR (bootstrap token or renewal proof), checks
 * that its single URI SAN is the caller's own identity in this trust domain, and signs a leaf.
 */
export class CertificateIssuer {
  private readonly signer: LeafSigner;
  private readonly tokenPublicKey: KeyObject;
  /** No leaf outlives its issuer: notAfter is capped here (ms). */
  private readonly issuerNotAfter: number;

  constructor(
    private readonly material: CaMaterial,
    private readonly policy: IssuerPolicy,
  ) {
    this.signer = new LeafSigner(material.intermediate.raw, material.intermediateKey);
    this.tokenPublicKey = createPublicKey(material.tokenKey);
    this.issuerNotAfter = Date.parse(material.intermediate.validTo);
  }

  /** Lifetime in seconds for a request: 0 → default; above the maximum → the maximum. */
  lifetimeOf(requested: number): number {
    if (!Number.isInteger(requested) || requested < 0) {
      throw caError(CA_ERR.TTL, 'invalid-argument', `validity must be a non-negative integer of seconds (got ${requested})`);
    }
    if (requested === 0) return this.policy.defaultTtlSeconds;
    if (requested < this.policy.minTtlSeconds) {
      throw caError(CA_ERR.TTL, 'invalid-argument', `validity ${requested}s is below the minimum ${this.policy.minTtlSeconds}s`);
    }
    return Math.min(requested, this.policy.maxTtlSeconds);
  }

  /** The identity the credentials prove (a SPIFFE URI). */
  authenticate(credentials: IssueCredentials, csrDer: Buffer, now: number): string {
    switch (credentials.kind) {
      case 'token':
        return verifyToken(this.tokenPublicKey, credentials.token, now).sub;
      case 'renewal':
        return verifyRenewal(credentials.certChain, credentials.proof, csrDer, this.material.intermediate, now);
      default:
        throw caError(CA_ERR.AUTH_MISSING, 'unauthenticated', 'no credentials: send a bootstrap token (authorization: Bearer) or the current certificate and proof');
    }
  }

  issue(request: IssueRequest, now = Date.now()): { result: IssueResult; record: IssuanceRecord } {
    const csr = verifyCsr(request.csr);
    const caller = this.authenticate(request.credentials, csr.der, now);
    const wanted = parseSpiffeUri(csr.uri);
    if (wanted.trustDomain !== this.policy.trustDomain) {
      throw caError(CA_ERR.CSR_SAN, 'permission-denied', `trust domain ${wanted.trustDomain} is not this CA's (${this.policy.trustDomain})`);
    }
    if (wanted.uri !== caller) {
      throw caError(CA_ERR.IDENTITY_MISMATCH, 'permission-denied', `the caller is ${caller}; it may not obtain a certificate for ${wanted.uri}`);
    }
    const ttl = this.lifetimeOf(request.validitySeconds);
    const notBefore = Math.floor(now / 1000) * 1000;
    const leaf = this.signer.sign(csr.spki, wanted.uri, notBefore, Math.min(notBefore + ttl * 1000, this.issuerNotAfter));
    const via = request.credentials.kind === 'renewal' ? 'renewal' : 'token';
    const record: IssuanceRecord = { serial: leaf.serial, identity: wanted.uri, notBefore: leaf.notBefore, notAfter: leaf.notAfter, replica: this.policy.replica, via };
    const result: IssueResult = { certChain: [toPem(leaf.der), ...this.material.chainPems], serial: leaf.serial, identity: wanted.uri, notBefore: leaf.notBefore, notAfter: leaf.notAfter };
    return { result, record };
  }
}
