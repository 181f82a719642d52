import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { authorityKeyId, CA_KEY_USAGE, caBasicConstraints, distinguishedName, keyIdOf, newSerial, signCertificate, subjectKeyId, tbsCertificate, toPem } from '@weft/x509';

const DAY_MS = 86_400_000;
const ORG = 'Weft';

/** A freshly generated CA in Istio's cacerts layout (every value PEM). */
export interface GeneratedCa {
  readonly rootCert: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly certChain: string;
}

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spkiOf = (key: KeyObject): Buffer => (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });

/**
 * A self-signed root (ECDSA P-256, `rootDays`) and an intermediate signed by it (`intermediateDays`,
 * pathLen 0), both backdated an hour for clock skew. The root key is not kept: only the intermediate
 * signs workloads, and a new intermediate means a new root here (an operator who needs rotation plugs in
 * their own CA).
 */
export function generateCa(trustDomain: string, rootDays = 3650, intermediateDays = 1825, now = Date.now()): GeneratedCa {
  const root = p256();
  const inter = p256();
  const notBefore = now - 3_600_000;
  const rootName = distinguishedName(ORG, `Weft Root CA (${trustDomain})`);
  const rootSpki = spkiOf(root.publicKey);
  const rootId = keyIdOf(rootSpki);
  const rootDer = signCertificate(
    tbsCertificate({
      serial: newSerial(),
      issuer: rootName,
      subject: rootName,
      notBefore,
      notAfter: now + rootDays * DAY_MS,
      spki: rootSpki,
      extensions: [caBasicConstraints(null), CA_KEY_USAGE, subjectKeyId(rootId)],
    }),
    root.privateKey,
  );
  const interSpki = spkiOf(inter.publicKey);
  const interDer = signCertificate(
    tbsCertificate({
      serial: newSerial(),
      issuer: rootName,
      subject: distinguishedName(ORG, `Weft Intermediate CA (${trustDomain})`),
      notBefore,
      notAfter: now + intermediateDays * DAY_MS,
      spki: interSpki,
      extensions: [caBasicConstraints(0), CA_KEY_USAGE, subjectKeyId(keyIdOf(interSpki)), authorityKeyId(rootId)],
    }),
    root.privateKey,
  );
  const rootCert = toPem(rootDer);
  const caCert = toPem(interDer);
  const caKey = inter.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return { rootCert, caCert, caKey, certChain: caCert + rootCert };
}

/** A P-256 key for signing bootstrap tokens (ES256), PKCS#8 PEM. */
export function generateTokenKey(): string {
  return p256().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}
