import { join } from 'node:path';
import { z } from 'zod';
import { PROTO_DIR } from '../registry/registry-proto';

/** NATS subjects, queue group and gRPC contract of the CA (`weft.<app>.<entity>.<event>`), declared once. */

/** Request/reply (queue group {@link CA_RPC_QUEUE}): CSR → chain. Payload {@link createCertificateRequest}. */
export const CA_CREATE_CERTIFICATE_SUBJECT = 'weft.ca.rpc.createCertificate';
export const CA_RPC_QUEUE = 'weft-ca';
/** Fan-out: the trust bundle, published by every replica at start and on change. Payload {@link trustBundleEvent}. */
export const CA_TRUST_BUNDLE_SUBJECT = 'weft.ca.trust-bundle';

export function caCreateCertificateSubject(prefix = ''): string {
  return `${prefix}${CA_CREATE_CERTIFICATE_SUBJECT}`;
}

export function caTrustBundleSubject(prefix = ''): string {
  return `${prefix}${CA_TRUST_BUNDLE_SUBJECT}`;
}

/**
 * Request/reply (queue group {@link CA_RPC_QUEUE}): the issuance audit, what `GET /v1/certs` returns.
 * Request payload {@link listCertificatesRequest}; reply `RpcReply<IssuedCertificateList>`.
 */
export const CA_LIST_CERTIFICATES_SUBJECT = 'weft.ca.rpc.listCertificates';

export function caListCertificatesSubject(prefix = ''): string {
  return `${prefix}${CA_LIST_CERTIFICATES_SUBJECT}`;
}

/** Payload of `weft.ca.rpc.listCertificates` (an empty body means the defaults). */
export const listCertificatesRequest = z.object({
  /** Also the expired records still kept (a day after expiry); default: only valid certificates. */
  all: z.boolean().default(false),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type ListCertificatesRequest = z.output<typeof listCertificatesRequest>;

export const CA_PROTO_FILE = 'weft/ca/v1/ca.proto';
export const CA_GRPC_SERVICE = 'weft.ca.v1.CertificateService';
export const CA_PROTO_PATH = join(PROTO_DIR, CA_PROTO_FILE);

/** gRPC metadata of a renewal (see ca.proto). */
export const CA_RENEWAL_CHAIN_HEADER = 'x-weft-cert-chain';
export const CA_RENEWAL_PROOF_HEADER = 'x-weft-proof';
