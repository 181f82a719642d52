import { sign, type KeyObject } from 'node:crypto';
import { backoffDelay, type Logger } from '@weft/shared';
import type { CaAuth, CaClient } from './ca-client';
import { newWorkloadKey } from '../csr-builder';
import { buildWorkloadCsr } from './workload-csr';
import { spiffeId } from './spiffe';
import type { WorkloadIdentity } from './workload-identity';

export interface SvidManagerOptions {
  readonly ca: CaClient;
  /** Reads the bootstrap token (re-read on every first issuance, so a rotated file is picked up). */
  readonly token: () => string;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Requested lifetime in seconds (0: the CA's default). */
  readonly validitySeconds: number;
  /** Share of the lifetime after which the certificate is renewed (Istio: 0.5). */
  readonly renewAt: number;
  readonly log: Logger;
}

/**
 * Obtains and renews the workload SVID (Istio's agent): a fresh ECDSA P-256 key in memory for each
 * certificate, a CSR for spiffe://<td>/ns/<ns>/sa/<sa>, signed by the CA with the bootstrap token the
 * first time and with proof of possession of the current certificate afterwards; renews at half
 * life, retries with backoff, and installs each new SVID into the WorkloadIdentity.
 */
export class SvidManager {
  private key: KeyObject | null = null;
  private chainPem = '';
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = false;
  readonly id: string;

  constructor(
    private readonly identity: WorkloadIdentity,
    private readonly o: SvidManagerOptions,
  ) {
    this.id = spiffeId(o.trustDomain, o.namespace, o.serviceAccount);
  }

  /** The first certificate; keeps retrying (with backoff) in the background until it arrives. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.identity.onChange(() => {
        off();
        resolve();
      });
      void this.issue();
    });
  }

  private async issue(): Promise<void> {
    if (this.stopped) return;
    const key = newWorkloadKey();
    const csr = buildWorkloadCsr(key, this.id);
    try {
      const auth: CaAuth =
        this.key === null ? { kind: 'token', token: this.o.token().trim() } : { kind: 'proof', chainPem: this.chainPem, proof: sign('sha256', csr.der, this.key) };
      const [chain, roots] = await Promise.all([this.o.ca.createCertificate(csr.pem, this.o.validitySeconds, auth), this.o.ca.trustBundle()]);
      const chainPem = chain.map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join('');
      this.identity.update({ keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, chainPem, rootsPem: roots.join('\n') });
      this.key = key;
      this.chainPem = chainPem;
      this.attempt = 0;
      this.o.log.info({ spiffeId: this.id, notAfter: new Date(this.identity.notAfterMs).toISOString(), renewal: auth.kind === 'proof' }, 'workload certificate installed');
      this.schedule(this.renewDelay());
    } catch (err) {
      const delay = 100 + backoffDelay(this.attempt++, 500, 30_000);
      this.o.log.warn({ err: (err as Error).message, spiffeId: this.id, retryInMs: Math.round(delay) }, 'certificate request failed');
      // A renewal refused while the current certificate is still valid retries by proof; once it has
      // expired, only the bootstrap token can help.
      if (this.key !== null && Date.now() >= this.identity.notAfterMs) this.key = null;
      this.schedule(delay);
    }
  }

  /** renewAt × (notAfter − now at issuance), measured from now. */
  private renewDelay(): number {
    const remaining = this.identity.notAfterMs - Date.now();
    return Math.max(1000, remaining * this.o.renewAt);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.issue(), Math.min(ms, 2_147_483_647));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.o.ca.close();
  }
}
