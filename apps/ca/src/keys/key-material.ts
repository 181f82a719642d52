import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_ERR, caError } from '../errors';
import { splitCertificates } from '@weft/x509';
import { generateCa, generateTokenKey } from './ca-generator';
import { createOnce, writeAtomic } from './create-once';

/** Istio's `cacerts` layout, plus the bootstrap-token signing key. */
export const CA_FILES = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  rootCert: 'root-cert.pem',
  certChain: 'cert-chain.pem',
  tokenKey: 'token-key.pem',
} as const;
const CA_SET = [CA_FILES.caCert, CA_FILES.caKey, CA_FILES.rootCert, CA_FILES.certChain];

/** The CA's loaded and validated key material. Never logged, never sent anywhere. */
export interface CaMaterial {
  readonly dir: string;
  readonly intermediate: X509Certificate;
  readonly intermediateKey: KeyObject;
  /** Every active root (the trust bundle), PEM. */
  readonly rootPems: readonly string[];
  /** The issuing chain after a leaf: the intermediate(s) then the root, PEM. */
  readonly chainPems: readonly string[];
  readonly tokenKey: KeyObject;
  /** True when this process generated the CA (first start on an empty directory). */
  readonly generated: boolean;
}

const has = (dir: string, names: readonly string[]) => names.every((n) => existsSync(join(dir, n)));
const bad = (message: string, cause?: unknown) => caError(CA_ERR.KEY_MATERIAL, 'invalid-argument', message, cause);

function writeMissing(dir: string, trustDomain: string): boolean {
  const present = CA_SET.filter((n) => existsSync(join(dir, n)));
  if (present.length > 0 && present.length < CA_SET.length) {
    throw bad(`${dir} holds an incomplete CA (${present.join(', ')}); a plug-in CA needs ${CA_SET.join(', ')}`);
  }
  if (!has(dir, [CA_FILES.tokenKey])) writeAtomic(dir, CA_FILES.tokenKey, generateTokenKey(), 0o600);
  if (present.length > 0) return false;
  const ca = generateCa(trustDomain);
  writeAtomic(dir, CA_FILES.rootCert, ca.rootCert, 0o644);
  writeAtomic(dir, CA_FILES.caKey, ca.caKey, 0o600);
  writeAtomic(dir, CA_FILES.caCert, ca.caCert, 0o644);
  writeAtomic(dir, CA_FILES.certChain, ca.certChain, 0o644);
  return true;
}

/** Finds, among `pool`, the issuer of `cert` whose key verifies its signature. */
function issuerIn(cert: X509Certificate, pool: readonly X509Certificate[]): X509Certificate | undefined {
  return pool.find((c) => c.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(c) && cert.verify(c.publicKey));
}

/** The intermediate must chain (through cert-chain.pem) to one of the roots. */
function checkChain(intermediate: X509Certificate, chain: readonly X509Certificate[], roots: readonly X509Certificate[]): void {
  let current = intermediate;
  for (let depth = 0; depth < 5; depth++) {
    if (issuerIn(current, roots) !== undefined) return;
    const next = issuerIn(current, chain);
    if (next === undefined) break;
    current = next;
  }
  throw bad(`${CA_FILES.caCert} does not chain to ${CA_FILES.rootCert} through ${CA_FILES.certChain}`);
}

function readPemCerts(dir: string, name: string): { pems: string[]; certs: X509Certificate[] } {
  const pems = splitCertificates(readFileSync(join(dir, name), 'utf8'));
  if (pems.length === 0) throw bad(`${join(dir, name)} holds no certificate`);
  try {
    return { pems, certs: pems.map((p) => new X509Certificate(p)) };
  } catch (err) {
    throw bad(`${join(dir, name)}: ${(err as Error).message}`, err);
  }
}

function readKey(dir: string, name: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(join(dir, name)));
  } catch (err) {
    throw bad(`${join(dir, name)} is not a readable private key`, err);
  }
}

/** Loads and validates the material in `dir` (throws WEFT_ERR_CA_KEY_MATERIAL with the reason). */
export function loadCaMaterial(dir: string, generated = false, now = Date.now()): CaMaterial {
  const roots = readPemCerts(dir, CA_FILES.rootCert);
  const [intermediate] = readPemCerts(dir, CA_FILES.caCert).certs as [X509Certificate];
  const chain = readPemCerts(dir, CA_FILES.certChain);
  const intermediateKey = readKey(dir, CA_FILES.caKey);
  if (intermediateKey.asymmetricKeyType !== 'ec' || intermediateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw bad(`${CA_FILES.caKey} must be an ECDSA P-256 key`);
  }
  if (!intermediate.checkPrivateKey(intermediateKey)) throw bad(`${CA_FILES.caKey} does not match ${CA_FILES.caCert}`);
  if (!intermediate.ca) throw bad(`${CA_FILES.caCert} is not a CA certificate (basicConstraints CA:true)`);
  if (Date.parse(intermediate.validTo) <= now) throw bad(`${CA_FILES.caCert} expired on ${intermediate.validTo}`);
  checkChain(intermediate, chain.certs, roots.certs);
  const chainPems = chain.pems.slice();
  if (!chain.certs.some((c) => roots.certs.some((r) => r.fingerprint256 === c.fingerprint256))) chainPems.push(roots.pems[0] as string);
  return { dir, intermediate, intermediateKey, rootPems: roots.pems, chainPems, tokenKey: readKey(dir, CA_FILES.tokenKey), generated };
}

/**
 * Loads the key material of `dir`, creating a new root + intermediate (and the token key) first when
 * the directory holds none. Replicas starting together create it once (see createOnce).
 */
export async function loadOrCreateCaMaterial(dir: string, trustDomain: string): Promise<CaMaterial> {
  let generated = false;
  const all = [...CA_SET, CA_FILES.tokenKey];
  await createOnce(dir, () => has(dir, all), () => (generated = writeMissing(dir, trustDomain)));
  return loadCaMaterial(dir, generated);
}
