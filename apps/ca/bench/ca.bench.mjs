// CA signing benchmark: certificates per second for CSR → chain in-process (CSR parse + signature
// check + token check + identity check + TBS build + ECDSA signature), against a floor measured in the
// same run: bare node:crypto ECDSA-SHA256 signatures of a TBS-sized buffer with the same key
// (@peculiar/x509 is not installed, so no X509CertificateGenerator baseline). Needs `nx run ca:build`.
//   node apps/ca/bench/ca.bench.mjs [--seconds 3] [--csrs 2000]
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'node:crypto';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const dist = (p) => require(join(import.meta.dirname, '..', 'dist', p));
const { loadOrCreateCaMaterial } = dist('keys/key-material.js');
const { CertificateIssuer } = dist('issuer/certificate-issuer.js');
const { signToken } = dist('tokens/bootstrap-token.js');
const { buildCsr } = require('@weft/x509');
const { generateKeyPairSync, X509Certificate } = await import('node:crypto');

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, csrs: { type: 'string', default: '2000' } } });
const seconds = Number(values.seconds);
const TD = 'cluster.local';
const material = await loadOrCreateCaMaterial(mkdtempSync(join(tmpdir(), 'weft-ca-bench-')), TD);
const issuer = new CertificateIssuer(material, { trustDomain: TD, defaultTtlSeconds: 86400, maxTtlSeconds: 604800, minTtlSeconds: 2, replica: 'bench' });

const requests = [];
for (let i = 0; i < Number(values.csrs); i++) {
  const uri = `spiffe://${TD}/ns/bench/sa/sa-${i % 50}`;
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  requests.push({ csr: buildCsr({ privateKey: key, uris: [uri] }), credentials: { kind: 'token', token: signToken(material.tokenKey, uri, 3600).token }, validitySeconds: 3600, api: 'nats' });
}

function run(label, fn) {
  for (let i = 0; i < 200; i++) fn(i); // warm-up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  while (performance.now() < end) for (let k = 0; k < 50; k++) fn(n++);
  const rate = n / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(44)} ${rate.toFixed(0).padStart(7)} /s`);
  return rate;
}

let last = null;
const certs = run('CSR → chain (CertificateIssuer.issue)', (i) => (last = issuer.issue(requests[i % requests.length])));
const tbs = Buffer.alloc(420, 7);
const floor = run('floor: bare crypto.sign(sha256, 420 B, P-256)', () => sign('sha256', tbs, material.intermediateKey));
const pub = (await import('node:crypto')).createPublicKey(material.intermediateKey);
const sig = sign('sha256', tbs, material.intermediateKey);
const { verify } = await import('node:crypto');
const crypto3 = run('floor: 1 sign + 2 verifies (CSR, token)', () => {
  sign('sha256', tbs, material.intermediateKey);
  verify('sha256', tbs, pub, sig);
  verify('sha256', tbs, pub, sig);
});
new X509Certificate(last.result.certChain[0]); // the last one parses
console.log(`\ncertificates/s: ${certs.toFixed(0)} (goal ≥ 1000); ratio to the bare-signature floor: ${(certs / floor).toFixed(2)}; to the crypto floor (1 sign + 2 verifies): ${(certs / crypto3).toFixed(2)}`);
if (certs < 1000) process.exitCode = 1;
