import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { csrFor } from '../../src/testing/ca-fixtures';
import { natsIssue, startCaProcess, type CaProcess } from './ca-helpers';

const WEFTCTL = join(__dirname, '..', '..', '..', 'weftctl', 'bin', 'weftctl.js');
const ADMIN = 'weftctl-admin-token-0123';

let infra: TestInfra;
let ca: CaProcess;
let dir: string;

beforeAll(async () => {
  infra = await createTestInfra('ca-weftctl');
  dir = mkdtempSync(join(tmpdir(), 'weft-ca-ctl-'));
  ca = await startCaProcess(infra, dir, 'ctl-1', { WEFT_CA_ADMIN_TOKEN: ADMIN });
});

afterAll(async () => {
  await ca?.proc.kill();
  await infra?.close();
});

async function weftctl(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [WEFTCTL, ...args], { env: { ...process.env, WEFT_CA_URL: ca.httpUrl, ...env } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

describe('weftctl against a running weft-ca', () => {
  it('token create prints a token that obtains a certificate; certs lists it; ca root prints the bundle', async () => {
    const refused = await weftctl(['token', 'create', '--namespace', 'default', '--service-account', 'reviews']);
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('set WEFT_CA_ADMIN_TOKEN') });
    const created = await weftctl(['token', 'create', '--namespace', 'default', '--service-account', 'reviews', '--ttl', '10m'], { WEFT_CA_ADMIN_TOKEN: ADMIN });
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token.split('.')).toHaveLength(3);
    const reply = await natsIssue(infra, { csr: csrFor('spiffe://cluster.local/ns/default/sa/reviews').csr, token });
    expect(reply.ok).toBe(true);

    const certs = await waitFor(async () => {
      const r = await weftctl(['certs']);
      return r.out.includes('spiffe://cluster.local/ns/default/sa/reviews') ? r : undefined;
    }, { what: 'weftctl certs to list the certificate' });
    expect(certs.out).toMatch(/^SERIAL\s+IDENTITY\s+EXPIRES\s+REPLICA/);
    expect(certs.out).toContain('ctl-1');
    expect((await weftctl(['certs', '-n', 'default', '-o', 'json'])).out).toContain('"identity": "spiffe://cluster.local/ns/default/sa/reviews"');
    expect(await weftctl(['certs', '-n', 'other'])).toMatchObject({ code: 0, out: '', err: expect.stringContaining('No certificates.') });

    const root = await weftctl(['ca', 'root']);
    expect(root.code).toBe(0);
    expect(root.out.trim()).toBe(readFileSync(join(dir, 'root-cert.pem'), 'utf8').trim());
  });
});
