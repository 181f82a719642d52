import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import type { WorkloadIdentity } from '@weft/x509';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * A grpc-js certificate provider fed by pilot's WorkloadIdentity: the trust bundle as CA certificates,
 * the SVID (chain + key) as identity certificate. Each renewal is announced to the listeners, and the
 * grpc-js server swaps its secure context (`setSecureContext`): new connections get the new
 * certificate, streams already open keep theirs. The current material reaches a new listener on the
 * next microtask: grpc-js registers its secure-context watcher only after adding the listeners.
 */
export class SvidCertificateProvider implements experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly off: () => void;

  constructor(private readonly identity: WorkloadIdentity) {
    this.off = identity.onChange(() => this.announce());
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      const m = this.identity.current;
      if (m !== null && this.caListeners.has(listener)) listener({ caCertificate: Buffer.from(m.rootsPem) });
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      const m = this.identity.current;
      if (m !== null && this.identityListeners.has(listener)) listener({ certificate: Buffer.from(m.chainPem), privateKey: Buffer.from(m.keyPem) });
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  close(): void {
    this.off();
  }

  private announce(): void {
    const m = this.identity.current;
    if (m === null) return;
    for (const l of this.caListeners) l({ caCertificate: Buffer.from(m.rootsPem) });
    for (const l of this.identityListeners) l({ certificate: Buffer.from(m.chainPem), privateKey: Buffer.from(m.keyPem) });
  }
}

/**
 * Mutual TLS server credentials on the SVID: client certificates required and verified against the
 * trust bundle. Until the first certificate arrives grpc-js drops incoming connections.
 */
export function svidServerCredentials(provider: SvidCertificateProvider): ServerCredentials {
  return experimental.createCertificateProviderServerCredentials(provider, provider, true);
}
