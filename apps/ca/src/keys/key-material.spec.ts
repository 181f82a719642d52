import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { CertificateIssuer } from '../issuer/certificate-issuer';
import { csrFor, opensslVerify } from '../testing/ca-fixtures';
import { signToken } from '../tokens/bootstrap-token';
import { CA_FILES, loadCaMaterial, loadOrCreateCaMaterial } from './key-material';

const TD = 'cluster.local';
const fresh = () => mkdtempSync(join(tmpdir(), 'weft-ca-keys-'));

function opensslCa(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root-key.pem');
  run('req', '-x509', '-new', '-key', 'root-key.pem', '-subj', '/O=Acme/CN=Acme Root', '-days', '30', '-out', CA_FILES.rootCert);
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', CA_FILES.caKey);
  run('req', '-new', '-key', CA_FILES.caKey, '-subj', '/O=Acme/CN=Acme Intermediate', '-out', 'inter.csr');
  run('x509', '-req', '-in', 'inter.csr', '-CA', CA_FILES.rootCert, '-CAkey', 'root-key.pem', '-CAcreateserial', '-days', '20', '-extfile', 'ext.cnf', '-out', CA_FILES.caCert);
  writeFileSync(join(dir, CA_FILES.certChain), readFileSync(join(dir, CA_FILES.caCert), 'utf8') + readFileSync(join(dir, CA_FILES.rootCert), 'utf8'));
}

describe('CA key material', () => {
  it('creates a root, an intermediate and a token key once, keys 0600, and loads them again unchanged', async () => {
    const dir = fresh();
    const [a, b] = await Promise.all([loadOrCreateCaMaterial(dir, TD), loadOrCreateCaMaterial(dir, TD)]);
    expect([a.generated, b.generated].filter(Boolean)).toHaveLength(1);
    expect(a.rootPems).toEqual(b.rootPems);
    for (const key of [CA_FILES.caKey, CA_FILES.tokenKey]) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    const again = loadCaMaterial(dir);
    expect(again.generated).toBe(false);
    expect(again.intermediate.fingerprint256).toBe(a.intermediate.fingerprint256);
    const root = new X509Certificate(a.rootPems[0] as string);
    expect(root.ca).toBe(true);
    expect(Date.parse(root.validTo) - Date.now()).toBeGreaterThan(9.9 * 365 * 86_400_000);
  });

  it('loads an operator plug-in CA made with openssl (adding the token key) and issues chains that verify', async () => {
    const dir = fresh();
    opensslCa(dir);
    const material = await loadOrCreateCaMaterial(dir, TD);
    expect(material.generated).toBe(false);
    const issuer = new CertificateIssuer(material, { trustDomain: TD, defaultTtlSeconds: 3600, maxTtlSeconds: 3600, minTtlSeconds: 1, replica: 't' });
    const uri = `spiffe://${TD}/ns/default/sa/app`;
    const { result } = issuer.issue({ csr: csrFor(uri).csr, credentials: { kind: 'token', token: signToken(material.tokenKey, uri, 60).token }, validitySeconds: 0, api: 'nats' });
    const [leaf, inter, root] = result.certChain as [string, string, string];
    expect((await opensslVerify(root, inter, leaf)).output).toMatch(/: OK/);
  });

  it('refuses a key that does not match, an intermediate from another root, and an incomplete set', async () => {
    const one = fresh();
    const two = fresh();
    await Promise.all([loadOrCreateCaMaterial(one, TD), loadOrCreateCaMaterial(two, TD)]);
    copyFileSync(join(two, CA_FILES.caKey), join(one, CA_FILES.caKey));
    expect(() => loadCaMaterial(one)).toThrow(/ca-key.pem does not match ca-cert.pem/);
    const three = fresh();
    await loadOrCreateCaMaterial(three, TD);
    copyFileSync(join(two, CA_FILES.rootCert), join(three, CA_FILES.rootCert));
    expect(() => loadCaMaterial(three)).toThrow(/does not chain to root-cert.pem/);
    const partial = fresh();
    copyFileSync(join(two, CA_FILES.caCert), join(partial, CA_FILES.caCert));
    await expect(loadOrCreateCaMaterial(partial, TD)).rejects.toThrow(/incomplete CA/);
  });
});
