import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { newWorkloadKey } from '@weft/x509';
import { oid, seq, tlv } from '@weft/x509';
import type { IdentityMaterial } from '../../src/tls/workload-identity';

/**
 * A tiny X.509 CA for tests: a self-signed ECDSA P-256 root minted per run (nothing is written to
 * disk or committed) that issues SPIFFE leaf certificates (empty subject, one critical URI SAN).
 */

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function pem(kind: string, der: Buffer): string {
  return `-----BEGIN ${kind}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${kind}-----\n`;
}

function utcTime(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2026-11-22T02:33:00.000Z
  const s = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function name(cn: string | null): Buffer {
  if (cn === null) return seq();
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

interface CertSpec {
  readonly issuer: string;
  readonly subject: string | null;
  readonly publicKey: KeyObject;
  readonly signer: KeyObject;
  readonly ca: boolean;
  readonly uri: string | null;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

function certificate(c: CertSpec): Buffer {
  const serial = randomBytes(12);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive and minimal (a leading 0x00 byte would be illegal DER padding)
  const exts = [extension('2.5.29.19', true, c.ca ? seq(tlv(0x01, Buffer.from([0xff]))) : seq())];
  // keyUsage: keyCertSign + cRLSign for the CA, digitalSignature for leaves.
  exts.push(extension('2.5.29.15', true, c.ca ? tlv(0x03, Buffer.from([0x01, 0x06])) : tlv(0x03, Buffer.from([0x07, 0x80]))));
  if (c.uri !== null) exts.push(extension('2.5.29.17', c.subject === null, seq(tlv(0x86, Buffer.from(c.uri, 'ascii')))));
  const spki = (c.publicKey.type === 'public' ? c.publicKey : createPublicKey(c.publicKey)).export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ECDSA_SHA256,
    name(c.issuer),
    seq(utcTime(c.notBeforeMs), utcTime(c.notAfterMs)),
    name(c.subject),
    spki,
    tlv(0xa3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, c.signer);
  return seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

export class TestCa {
  private readonly key = newWorkloadKey();
  readonly rootPem: string;

  constructor(private readonly cn: string) {
    const now = Date.now();
    this.rootPem = pem('CERTIFICATE', certificate({ issuer: cn, subject: cn, publicKey: this.key, signer: this.key, ca: true, uri: null, notBeforeMs: now - 60_000, notAfterMs: now + 86_400_000 }));
  }

  /** A leaf certificate (PEM) for someone else's public key, e.g. the key of a CSR. */
  sign(publicKey: KeyObject, spiffeId: string, lifetimeMs = 3_600_000): string {
    const now = Date.now();
    return pem('CERTIFICATE', certificate({ issuer: this.cn, subject: null, publicKey, signer: this.key, ca: false, uri: spiffeId, notBeforeMs: now - 60_000, notAfterMs: now + lifetimeMs }));
  }

  /** A leaf SVID for `spiffeId`, with the trust bundle `roots` (default: this CA's root). */
  issue(spiffeId: string, options: { lifetimeMs?: number; roots?: string } = {}): IdentityMaterial {
    const key = newWorkloadKey();
    const now = Date.now();
    const leaf = certificate({ issuer: this.cn, subject: null, publicKey: key, signer: this.key, ca: false, uri: spiffeId, notBeforeMs: now - 60_000, notAfterMs: now + (options.lifetimeMs ?? 3_600_000) });
    return { keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, chainPem: pem('CERTIFICATE', leaf), rootsPem: options.roots ?? this.rootPem };
  }
}
