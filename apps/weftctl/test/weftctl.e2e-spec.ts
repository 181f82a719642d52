import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The built bin as users run it (the project's test target builds first). Its work against a real
 * pilot is covered by apps/pilot/test/integration/weftctl.e2e-spec.ts (this project may not import
 * pilot); here: the process contract — help, version, exit codes, the unreachable-pilot message.
 */
const BIN = join(resolve(__dirname, '..'), 'bin/weftctl.js');

function run(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
    child.stdin.end(stdin);
  });
}

describe('weftctl bin', () => {
  it('prints help for the CLI and for each verb', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const verb of ['apply', 'get', 'delete', 'analyze', 'proxy-status', 'proxy-config', 'version']) expect(help.out).toContain(verb);
    const get = await run(['get', '--help']);
    expect(get).toMatchObject({ code: 0, out: expect.stringContaining('-A, --all-namespaces') });
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['apply', '--filename'])).code).toBe(2);
    expect((await run(['get', 'vs', '--bogus'])).code).toBe(2);
    // empty input is refused before pilot is contacted
    expect((await run(['apply', '-f', '-'], { WEFT_PILOT_URL: 'http://127.0.0.1:9' })).code).toBe(1);
  });

  it('exits 3 naming the pilot URL it could not reach', async () => {
    const res = await run(['apply', '-f', '-'], { WEFT_PILOT_URL: 'http://127.0.0.1:9' }, 'kind: VirtualService');
    expect(res.code).toBe(3);
    expect(res.err).toContain('cannot reach pilot at http://127.0.0.1:9');
    const flagUrl = await run(['get', 'vs', '--pilot-url', 'http://127.0.0.1:7']);
    expect(flagUrl.err).toContain('http://127.0.0.1:7');
  });

  it('version --client needs no pilot', async () => {
    expect(await run(['version', '--client'])).toMatchObject({ code: 0, out: expect.stringMatching(/^client version: \d+\.\d+\.\d+/) });
  });
});
