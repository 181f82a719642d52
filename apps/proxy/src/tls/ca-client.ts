import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
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

export class CaClient {
  private readonly client: CertificateServiceClient;

  constructor(address: string) {
    const def = loadSync('weft/ca/v1/ca.proto', { includeDirs: [protoPath()], keepCase: true, longs: Number, defaults: true });
    const pkg = loadPackageDefinition(def) as unknown as { weft: { ca: { v1: { CertificateService: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => CertificateServiceClient } } } };
    this.client = new pkg.weft.ca.v1.CertificateService(address, credentials.createInsecure());
  }

  /** Signs the CSR: the chain, leaf first. */
  createCertificate(csrPem: string, validitySeconds: number, auth: CaAuth): Promise<string[]> {
    const md = new Metadata();
    if (auth.kind === 'token') md.set('authorization', `Bearer ${auth.token}`);
    else {
      md.set('x-weft-cert-chain', Buffer.from(auth.chainPem).toString('base64'));
      md.set('x-weft-proof', auth.proof.toString('base64'));
    }
    return new Promise((resolve, reject) => {
      this.client.CreateCertificate({ csr: csrPem, validity_duration: validitySeconds }, md, { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, res) => {
        if (err !== null) return reject(err);
        const chain = res?.cert_chain ?? [];
        if (chain.length === 0) return reject(new Error('the CA answered an empty certificate chain'));
        resolve(chain);
      });
    });
  }

  trustBundle(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.client.GetTrustBundle({}, new Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, res) => {
        if (err !== null) return reject(err);
        resolve(res?.roots ?? []);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
