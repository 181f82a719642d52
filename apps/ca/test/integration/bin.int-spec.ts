import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from './ca-helpers';

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('weft-ca bin', () => {
  it('prints --help with every environment variable', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['WEFT_CA_DIR', 'WEFT_CA_GRPC_PORT', 'WEFT_CA_HTTP_PORT', 'WEFT_CA_TRUST_DOMAIN', 'WEFT_CA_DEFAULT_TTL', 'WEFT_CA_MAX_TTL', 'WEFT_CA_ADMIN_TOKEN']) {
      expect(help.out).toContain(name);
    }
  });

  it('--init creates the key material and exits 0; a bad variable exits 2; a broken plug-in CA exits 1 with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-ca-bin-'));
    expect((await run(['--init'], { WEFT_CA_DIR: dir })).code).toBe(0);
    for (const f of ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem', 'token-key.pem']) expect(existsSync(join(dir, f))).toBe(true);
    const bad = await run([], { WEFT_CA_GRPC_PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('WEFT_CA_GRPC_PORT');
    writeFileSync(join(dir, 'ca-key.pem'), 'not a key');
    const broken = await run(['--init'], { WEFT_CA_DIR: dir });
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('ca-key.pem is not a readable private key');
  });
});
