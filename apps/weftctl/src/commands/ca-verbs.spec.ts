import { runCli } from '../cli';
import type { CliIo } from '../io';
import { certsTable } from './certs';
import { parseTtl } from './token';

function io(env: Record<string, string> = {}): CliIo & { outText: string; errText: string } {
  const self = {
    env,
    outText: '',
    errText: '',
    out: (t: string) => void (self.outText += `${t}\n`),
    err: (t: string) => void (self.errText += `${t}\n`),
    readStdin: async () => '',
  };
  return self;
}

describe('CA verbs', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172_800],
    ['45', 45],
    ['0', null],
    ['1w', null],
    ['-1h', null],
  ])('parses --ttl %s', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it('tabulates the audit: serial, identity, expiry, replica', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const out = certsTable([{ serial: 'ab12', identity: 'spiffe://cluster.local/ns/default/sa/reviews', notBefore: now, notAfter: now + 3 * 3600_000, replica: 'ca-1' }], now);
    expect(out.split('\n')[0]).toMatch(/^SERIAL\s+IDENTITY\s+EXPIRES\s+REPLICA$/);
    expect(out).toContain('2026-01-01T03:00:00.000Z (in 3h)');
  });

  it('exits 2 on a missing action or identity, 3 when the CA is unreachable', async () => {
    expect(await runCli(['token'], io())).toBe(2);
    expect(await runCli(['token', 'create', '-n', 'default'], io())).toBe(2);
    expect(await runCli(['token', 'create', '-n', 'a', '-s', 'b', '--ttl', 'soon'], io())).toBe(2);
    expect(await runCli(['ca'], io())).toBe(2);
    const down = io({ WEFT_CA_URL: 'http://127.0.0.1:9' });
    expect(await runCli(['ca', 'root'], down)).toBe(3);
    expect(down.errText).toContain('cannot reach the CA at http://127.0.0.1:9');
  });
});
