import { z } from 'zod';

/**
 * Payload of `weft.ca.rpc.createCertificate` (version 1): the CSR, the requested lifetime and exactly
 * one way of authenticating — a bootstrap token, or the current chain + proof (renewal, see ca.proto).
 */
export const createCertificateRequest = z
  .object({
    csr: z.string().min(1).max(16_384),
    /** Seconds; 0 or absent = the CA's default. */
    validitySeconds: z.number().int().nonnegative().default(0),
    token: z.string().min(1).max(8192).optional(),
    /** PEM chain of the current certificate (plain PEM, not base64 as in gRPC metadata). */
    certChain: z.string().min(1).max(65_536).optional(),
    /** base64 of the ECDSA-SHA256 signature of the CSR's DER by the current certificate's key. */
    proof: z.string().min(1).max(1024).optional(),
  })
  .refine((r) => (r.certChain === undefined) === (r.proof === undefined), { message: 'certChain and proof go together', path: ['proof'] });
export type CreateCertificateRequest = z.output<typeof createCertificateRequest>;

/** Result of a successful createCertificate (inside the RPC envelope `{ok: true, result}`). */
export const createCertificateResult = z.object({
  /** Leaf, intermediate(s), root: one PEM certificate each. */
  certChain: z.array(z.string()).min(2),
});
export type CreateCertificateResult = z.output<typeof createCertificateResult>;

/** Payload of `weft.ca.trust-bundle` (version 1). */
export const trustBundleEvent = z.object({
  v: z.literal(1),
  trustDomain: z.string(),
  /** Every active root, PEM. */
  roots: z.array(z.string()).min(1),
  replica: z.string(),
  at: z.number().int(),
});
export type TrustBundleEvent = z.output<typeof trustBundleEvent>;

/** POST /v1/tokens body. */
export const createTokenRequest = z.object({
  namespace: z.string().min(1).max(63),
  serviceAccount: z.string().min(1).max(63),
  /** Seconds (default 1 h). */
  ttlSeconds: z.number().int().positive().max(30 * 86_400).default(3600),
});
export type CreateTokenRequest = z.output<typeof createTokenRequest>;

export const createTokenResponse = z.object({
  token: z.string(),
  identity: z.string(),
  expiresAt: z.string(),
});
export type CreateTokenResponse = z.output<typeof createTokenResponse>;

/** One issued certificate in the audit (GET /v1/certs). */
export const issuedCertificateView = z.object({
  serial: z.string(),
  identity: z.string(),
  notBefore: z.number().int(),
  notAfter: z.number().int(),
  replica: z.string(),
  via: z.enum(['token', 'renewal']).optional(),
});
export type IssuedCertificateView = z.output<typeof issuedCertificateView>;

export const issuedCertificateList = z.object({ certificates: z.array(issuedCertificateView) });
export type IssuedCertificateList = z.output<typeof issuedCertificateList>;

/** Error body of the CA's HTTP API. */
export const caErrorBody = z.object({
  error: z.object({ code: z.string(), kind: z.string(), message: z.string() }),
});
