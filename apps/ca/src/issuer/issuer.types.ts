/** How a caller proves who it is: a bootstrap token, or its current certificate (renewal). */
export type IssueCredentials =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'renewal'; readonly certChain: string; readonly proof: Buffer }
  | { readonly kind: 'none' };

export interface IssueRequest {
  /** PKCS#10 CSR, PEM. */
  readonly csr: string;
  /** Requested lifetime; 0 = the default. */
  readonly validitySeconds: number;
  readonly credentials: IssueCredentials;
  /** The edge the request came through (metrics label). */
  readonly api: 'grpc' | 'nats';
}

export interface IssueResult {
  /** Leaf, intermediate(s), root: PEM each. */
  readonly certChain: string[];
  readonly serial: string;
  readonly identity: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** One issued certificate, as kept in the audit (no key, no CSR). */
export interface IssuanceRecord {
  readonly serial: string;
  readonly identity: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly replica: string;
  readonly via: 'token' | 'renewal';
}

export interface IssuerPolicy {
  readonly trustDomain: string;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly minTtlSeconds: number;
  readonly replica: string;
}
