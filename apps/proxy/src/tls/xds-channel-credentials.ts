import type { PeerCertificate } from 'node:tls';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { Logger } from '@weft/shared';
import { spiffeIdOf, type IdentityMaterial, type WorkloadIdentity } from '@weft/x509';

/** What the ADS connection asks for each new channel: the current credentials (null: not yet). */
export interface XdsChannelSecurity {
  current(): ChannelCredentials | null;
  /** Calls `ready` once the first credentials exist (at once when they already do). */
  whenReady(ready: () => void): void;
  /** TLS server name sent to the xDS server (an IP literal is not a valid SNI). */
  readonly serverName: string;
  /** The SPIFFE ID the server must present. */
  readonly expectedServerId: string;
}

/** SNI of the xDS connection (Istio's sidecars send istiod's service name). */
const XDS_SERVER_NAME = 'weft-pilot';

/**
 * --xds-tls: mutual TLS to pilot's port 15012 with the proxy's current SVID. The server's chain must
 * verify against the trust bundle and its certificate must carry exactly the expected SPIFFE ID
 * (pilot's, spiffe://<td>/ns/weft-system/sa/weft-pilot by default); a mismatch fails the connection
 * (logged with both identities) and the ADS client goes on to the next replica. Credentials follow
 * the SVID: a channel opened after a renewal presents the new certificate.
 */
export class XdsTlsCredentials implements XdsChannelSecurity {
  readonly serverName = XDS_SERVER_NAME;
  private material: IdentityMaterial | null = null;
  private creds: ChannelCredentials | null = null;

  constructor(
    private readonly identity: WorkloadIdentity,
    readonly expectedServerId: string,
    private readonly log: Logger,
  ) {}

  current(): ChannelCredentials | null {
    const m = this.identity.current;
    if (m === null) return null;
    if (m !== this.material) {
      this.material = m;
      this.creds = credentials.createSsl(Buffer.from(m.rootsPem), Buffer.from(m.keyPem), Buffer.from(m.chainPem), {
        checkServerIdentity: (_host: string, cert: PeerCertificate) => this.checkServer(cert),
      });
    }
    return this.creds;
  }

  whenReady(ready: () => void): void {
    if (this.identity.ready) return ready();
    const off = this.identity.onChange(() => {
      off();
      ready();
    });
  }

  /** undefined: the server is pilot; else the error that fails the handshake. */
  checkServer(cert: Pick<PeerCertificate, 'subjectaltname'>): Error | undefined {
    const presented = spiffeIdOf(cert);
    if (presented === this.expectedServerId) return undefined;
    this.log.warn({ expected: this.expectedServerId, presented }, 'xds server identity mismatch: connection refused');
    return new Error(`xds server identity mismatch: expected ${this.expectedServerId}, presented ${presented ?? 'no SPIFFE identity'}`);
  }
}
