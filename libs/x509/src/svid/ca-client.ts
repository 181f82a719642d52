import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Client of weft.ca.v1.CertificateService (libs/api/proto/weft/ca/v1/ca.proto), plaintext gRPC. */

export type CaAuth =
  | { readonly kind: 'token'; readonly token: string }
  /** Renewal: the current chain PEM and the signature of the new CSR's DER by the current key. */
  | { readonly kind: 'proof'; readonly chainPem: string; readonly proof: Buffer };

type Unary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res?: Res) => void) => void;

interface CertificateServiceClient extends Client {
  CreateCertificate: Unary<{ csr: string; validity_duration: number }, { cert_chain: string[] }>;
  GetTrustBundle: Unary<Record<string, never>, { roots: string[] }>;
}

const CALL_TIMEOUT_MS = 10_000;

function protoPath(): string {
  return join(dirname(require.resolve('@weft/api/package.json')), 'proto');
}

/** The CA replica could not be reached (not a refusal): the call may go to another replica. */
function unreachable(err: { code?: number }): boolean {
  return err.code === status.UNAVAILABLE || err.code === status.DEADLINE_EXCEEDED;
}

/**
 * The CA's gRPC API. `address` is `host:port` or several, comma-separated (CA replicas): a call the
 * current replica cannot take (unreachable, deadline) goes to the next one, so a CA replica's death
 * delays no issuance; a refusal (bad token, bad CSR) is final.
 */
export class CaClient {
  private readonly clients: CertificateServiceClient[];
  private current = 0;

  constructor(address: string) {
    const def = loadSync('weft/ca/v1/ca.proto', { includeDirs: [protoPath()], keepCase: true, longs: Number, defaults: true });
    const pkg = loadPackageDefinition(def) as unknown as { weft: { ca: { v1: { CertificateService: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => CertificateServiceClient } } } };
    const addresses = address.split(',').map((a) => a.trim()).filter((a) => a !== '');
    this.clients = addresses.map((a) => new pkg.weft.ca.v1.CertificateService(a, credentials.createInsecure()));
  }

  /** Runs `call` on the current replica, then on each other one while they are unreachable. */
  private async failover<T>(call: (client: CertificateServiceClient) => Promise<T>): Promise<T> {
    let lastError: unknown = null;
    for (let tried = 0; tried < this.clients.length; tried++) {
      const client = this.clients[this.current] as CertificateServiceClient;
      try {
        return await call(client);
      } catch (err) {
        lastError = err;
        if (!unreachable(err as { code?: number })) throw err;
        this.current = (this.current + 1) % this.clients.length;
      }
    }
    throw lastError;
  }

  /** Signs the CSR: the chain, leaf first. */
  createCertificate(csrPem: string, validitySeconds: number, auth: CaAuth): Promise<string[]> {
    const md = new Metadata();
    if (auth.kind === 'token') md.set('authorization', `Bearer ${auth.token}`);
    else {
      md.set('x-weft-cert-chain', Buffer.from(auth.chainPem).toString('base64'));
      md.set('x-weft-proof', auth.proof.toString('base64'));
    }
    return this.failover(
      (client) =>
        new Promise<string[]>((resolve, reject) => {
          client.CreateCertificate({ csr: csrPem, validity_duration: validitySeconds }, md, { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, res) => {
            if (err !== null) return reject(err);
            const chain = res?.cert_chain ?? [];
            if (chain.length === 0) return reject(new Error('the CA answered an empty certificate chain'));
            resolve(chain);
          });
        }),
    );
  }

  trustBundle(): Promise<string[]> {
    return this.failover(
      (client) =>
        new Promise<string[]>((resolve, reject) => {
          client.GetTrustBundle({}, new Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, res) => {
            if (err !== null) return reject(err);
            resolve(res?.roots ?? []);
          });
        }),
    );
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
