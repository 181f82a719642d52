import { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isWeftError, type Logger } from '@weft/shared';
import type { CreateTokenResponse } from '@weft/api';
import type { AuditRepository } from '../audit/audit.repository';
import { spiffeId } from '../identity/spiffe';
import type { CaMaterial } from '../keys/key-material';
import { signToken } from '../tokens/bootstrap-token';
import { CertificateIssuer } from './certificate-issuer';
import type { CaMetrics } from './ca.metrics';
import type { IssuerPolicy, IssueRequest, IssueResult } from './issuer.types';

/**
 * The CA as the edges see it: issuance with metrics and the audit around the framework-free
 * CertificateIssuer, bootstrap tokens, the trust bundle. Refusals are logged at debug with their code
 * only (never the CSR, token or chain).
 */
export class CaService {
  private readonly issuer: CertificateIssuer;
  private roots: readonly string[];

  constructor(
    private readonly material: CaMaterial,
    private readonly policy: IssuerPolicy,
    private readonly audit: AuditRepository,
    private readonly metrics: CaMetrics,
    private readonly log: Logger,
  ) {
    this.issuer = new CertificateIssuer(material, policy);
    this.roots = material.rootPems;
    this.setTrustBundle(material.rootPems);
    metrics.caExpiry.set({ cert: 'intermediate' }, Date.parse(material.intermediate.validTo) / 1000);
  }

  issue(request: IssueRequest): IssueResult {
    const started = performance.now();
    const via = request.credentials.kind;
    try {
      const { result, record } = this.issuer.issue(request);
      this.metrics.signing.observe((performance.now() - started) / 1000);
      this.metrics.issued.inc({ api: request.api, outcome: 'issued', via });
      this.audit.record(record);
      return result;
    } catch (err) {
      const code = isWeftError(err) ? err.code : 'WEFT_ERR_CA_INTERNAL';
      this.metrics.issued.inc({ api: request.api, outcome: code, via });
      if (isWeftError(err)) this.log.debug({ code, api: request.api }, 'certificate refused');
      else this.log.error({ err }, 'certificate signing failed');
      throw err;
    }
  }

  createToken(namespace: string, serviceAccount: string, ttlSeconds: number): CreateTokenResponse {
    const id = spiffeId(this.policy.trustDomain, namespace, serviceAccount);
    const { token, claims } = signToken(this.material.tokenKey, id.uri, ttlSeconds);
    this.metrics.tokens.inc();
    this.log.info({ identity: id.uri, jti: claims.jti, exp: claims.exp }, 'token created');
    return { token, identity: id.uri, expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  /** Every active root, PEM (the trust bundle). */
  trustBundle(): readonly string[] {
    return this.roots;
  }

  /** Replaces the trust bundle (root-cert.pem changed and still validates). */
  setTrustBundle(roots: readonly string[]): void {
    this.roots = roots;
    const earliest = Math.min(...roots.map((pem) => Date.parse(new X509Certificate(pem).validTo)));
    this.metrics.caExpiry.set({ cert: 'root' }, earliest / 1000);
  }

  get trustDomain(): string {
    return this.policy.trustDomain;
  }
}
