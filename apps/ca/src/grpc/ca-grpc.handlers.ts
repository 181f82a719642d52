import { Metadata, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { CA_RENEWAL_CHAIN_HEADER, CA_RENEWAL_PROOF_HEADER } from '@weft/api';
import { isWeftError, type WeftErrorKind } from '@weft/shared';
import type { CaService } from '../issuer/ca.service';
import type { IssueCredentials } from '../issuer/issuer.types';

interface CreateCertificateRequest {
  csr: string;
  validityDuration: number;
}

const STATUS: Partial<Record<WeftErrorKind, status>> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  'permission-denied': status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
};

function first(md: Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return v === undefined ? undefined : String(v);
}

/** Credentials from the call metadata (see ca.proto): bearer token, or chain + proof for renewal. */
export function credentialsOf(md: Metadata): IssueCredentials {
  const chain = first(md, CA_RENEWAL_CHAIN_HEADER);
  const proof = first(md, CA_RENEWAL_PROOF_HEADER);
  if (chain !== undefined && proof !== undefined) {
    return { kind: 'renewal', certChain: Buffer.from(chain, 'base64').toString('utf8'), proof: Buffer.from(proof, 'base64') };
  }
  const m = /^Bearer\s+(.+)$/i.exec(first(md, 'authorization') ?? '');
  return m === null ? { kind: 'none' } : { kind: 'token', token: (m[1] as string).trim() };
}

function toGrpcError(err: unknown): { code: status; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  if (!isWeftError(err)) {
    metadata.set('weft-error-code', 'WEFT_ERR_INTERNAL');
    return { code: status.INTERNAL, details: 'internal error', metadata };
  }
  metadata.set('weft-error-code', err.code);
  return { code: STATUS[err.kind] ?? status.INTERNAL, details: err.kind === 'internal' ? 'internal error' : err.message, metadata };
}

/** Handlers of `weft.ca.v1.CertificateService`. */
export function caGrpcHandlers(ca: CaService): UntypedServiceImplementation {
  return {
    CreateCertificate(call: ServerUnaryCall<CreateCertificateRequest, unknown>, callback: sendUnaryData<unknown>) {
      try {
        const validity = Number(call.request.validityDuration ?? 0);
        const result = ca.issue({ csr: call.request.csr, validitySeconds: validity, credentials: credentialsOf(call.metadata), api: 'grpc' });
        callback(null, { certChain: result.certChain });
      } catch (err) {
        callback(toGrpcError(err));
      }
    },
    GetTrustBundle(_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
      callback(null, { roots: [...ca.trustBundle()] });
    },
  };
}
