import type { KeyObject } from 'node:crypto';
import { buildCsrDer } from '../csr-builder';
import { toPem } from '../pem';

/**
 * The one request a workload (a proxy, pilot) makes: its in-memory ECDSA P-256 key, an empty subject and one URI SAN (its
 * SPIFFE ID), signed ecdsa-with-SHA256 — built by this library, the same code the CA parses it with.
 */
export interface CertificateRequest {
  /** DER of the whole CertificationRequest (what a renewal proof signs). */
  readonly der: Buffer;
  readonly pem: string;
}

export function buildWorkloadCsr(key: KeyObject, uriSan: string): CertificateRequest {
  const der = buildCsrDer({ privateKey: key, uris: [uriSan] });
  return { der, pem: toPem(der, 'CERTIFICATE REQUEST') };
}
