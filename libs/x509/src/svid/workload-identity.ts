import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { spiffeIdOf } from './spiffe';

/** The SVID (key + chain) and the trust bundle, PEM. The key lives only in memory. */
export interface IdentityMaterial {
  readonly keyPem: string;
  /** Leaf first, then intermediates (a root at the end is harmless). */
  readonly chainPem: string;
  /** Every trusted root (SDS `ROOTCA`). */
  readonly rootsPem: string;
}

export type IdentityListener = (identity: WorkloadIdentity) => void;

/**
 * The workload identity the proxy presents and verifies against (Istio's SDS `default` and `ROOTCA`):
 * swapped as a whole on rotation. Connections already open keep the context they started with; new
 * ones take the current one (listeners call setSecureContext, upstream connectors read `clientContext`
 * at connect time).
 */
export class WorkloadIdentity {
  private material: IdentityMaterial | null = null;
  private client: SecureContext | null = null;
  private id: string | null = null;
  private notAfter = 0;
  private readonly listeners: IdentityListener[] = [];

  get ready(): boolean {
    return this.material !== null;
  }

  /** The SPIFFE ID of the current certificate, or null before the first one. */
  get spiffeId(): string | null {
    return this.id;
  }

  get notAfterMs(): number {
    return this.notAfter;
  }

  get current(): IdentityMaterial | null {
    return this.material;
  }

  /** Context for new upstream connections (client certificate + trust bundle). */
  get clientContext(): SecureContext | null {
    return this.client;
  }

  /** Options for tls.createServer / setSecureContext. */
  serverOptions(): { key: string; cert: string; ca: string } | null {
    const m = this.material;
    return m === null ? null : { key: m.keyPem, cert: m.chainPem, ca: m.rootsPem };
  }

  /** Installs new material (throws, changing nothing, when key and certificate do not load together). */
  update(material: IdentityMaterial): void {
    const client = createSecureContext({ key: material.keyPem, cert: material.chainPem, ca: material.rootsPem });
    const leaf = new X509Certificate(material.chainPem);
    this.material = material;
    this.client = client;
    this.id = spiffeIdOf({ subjectaltname: leaf.subjectAltName ?? '' });
    this.notAfter = Date.parse(leaf.validTo);
    // A copy: a listener may unsubscribe itself while notified (the first-certificate waiter does).
    for (const l of [...this.listeners]) l(this);
  }

  onChange(listener: IdentityListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
