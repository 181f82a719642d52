import { join } from 'node:path';
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

export const CA_PROTO_FILE = 'weft/ca/v1/ca.proto';
export const CA_GRPC_SERVICE = 'weft.ca.v1.CertificateService';
export const CA_PROTO_PATH = join(PROTO_DIR, CA_PROTO_FILE);

/** gRPC metadata of a renewal (see ca.proto). */
export const CA_RENEWAL_CHAIN_HEADER = 'x-weft-cert-chain';
export const CA_RENEWAL_PROOF_HEADER = 'x-weft-proof';
