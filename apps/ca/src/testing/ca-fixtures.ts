import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCsr, csrDerOf } from '@weft/x509';

/** Helpers for the CA's specs and integration tests (never imported by the app). */

export const newP256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

export function csrFor(uri: string, key = newP256(), extra: { dnsNames?: string[]; signWith?: KeyObject } = {}): { csr: string; key: KeyObject } {
  return { csr: buildCsr({ privateKey: key, uris: [uri], ...extra }), key };
}

/** The renewal proof: base64 of the CSR's DER signed by the current certificate's key. */
export function proofOf(csr: string, currentKey: KeyObject): string {
  return sign('sha256', csrDerOf(csr), currentKey).toString('base64');
}

/** Runs `openssl verify -CAfile root -untrusted intermediate leaf`; resolves with its output. */
export async function opensslVerify(rootPem: string, intermediatePem: string, leafPem: string): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-ca-verify-'));
  const files = { root: join(dir, 'root.pem'), inter: join(dir, 'inter.pem'), leaf: join(dir, 'leaf.pem') };
  writeFileSync(files.root, rootPem);
  writeFileSync(files.inter, intermediatePem);
  writeFileSync(files.leaf, leafPem);
  try {
    const { stdout, stderr } = await promisify(execFile)('openssl', ['verify', '-CAfile', files.root, '-untrusted', files.inter, files.leaf]);
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
