import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';
import type { CliIo } from './io';

/** A stand-in pilot: records requests, answers with canned JSON (the real API is covered in pilot's e2e). */
interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

function body(req: IncomingMessage): Promise<unknown> {
  return new Promise((done) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => done(text === '' ? null : (JSON.parse(text) as unknown)));
  });
}

function io(env: Record<string, string>, stdin = ''): CliIo & { out: jest.Mock; err: jest.Mock; text(): string; errors(): string } {
  const out = jest.fn();
  const err = jest.fn();
  return {
    env,
    out,
    err,
    readStdin: async () => stdin,
    text: () => out.mock.calls.map((c) => String(c[0])).join('\n'),
    errors: () => err.mock.calls.map((c) => String(c[0])).join('\n'),
  };
}

describe('weftctl commands (stand-in pilot)', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  let reply: { status: number; json: unknown } = { status: 200, json: {} };

  beforeAll(async () => {
    server = createServer((req, res) => {
      void body(req).then((b) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body: b });
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));

  it('apply -f DIR sends every .yaml/.yml/.json file as text, sorted, with the token; prints kubectl lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weftctl-spec-'));
    writeFileSync(join(dir, 'b.yml'), 'kind: B');
    writeFileSync(join(dir, 'a.yaml'), 'kind: A');
    writeFileSync(join(dir, 'c.txt'), 'ignored');
    reply = { status: 200, json: { revision: 4, dryRun: false, results: [{ key: 'VirtualService/default/r', kind: 'VirtualService', namespace: 'default', name: 'r', action: 'created', revision: 4 }] } };
    const cli = io({ WEFT_PILOT_URL: url, WEFT_PILOT_TOKEN: 'sekrit' });
    expect(await runCli(['apply', '-f', dir], cli)).toBe(0);
    expect(seen[0]).toEqual({
      method: 'POST',
      url: '/v1/rules?dryRun=false',
      auth: 'Bearer sekrit',
      body: { files: [{ source: join(dir, 'a.yaml'), text: 'kind: A' }, { source: join(dir, 'b.yml'), text: 'kind: B' }] },
    });
    expect(cli.text()).toBe('virtualservice.networking.istio.io/r created');
    rmSync(dir, { recursive: true });
  });

  it('prints every issue of a 422 (document: path: reason) and exits 1', async () => {
    const message = 'invalid rules in stdin (2 problems; nothing was applied):\n  …';
    const issues = [
      { document: 'stdin#1 VirtualService default/r', path: 'spec.http[0].route[0].weight', message: 'expected number' },
      { document: 'stdin#2', path: 'kind', message: 'is required' },
    ];
    reply = { status: 422, json: { error: { code: 'WEFT_ERR_RULES_INVALID', message, issues } } };
    const cli = io({ WEFT_PILOT_URL: url }, 'kind: x');
    expect(await runCli(['apply', '-f', '-'], cli)).toBe(1);
    expect(cli.errors()).toBe(
      'Error from server (Invalid): invalid rules in stdin (2 problems; nothing was applied):\n' +
        '  stdin#1 VirtualService default/r: spec.http[0].route[0].weight: expected number\n' +
        '  stdin#2: kind: is required',
    );
  });

  it('get resolves short kind names and namespaces; -A asks for every namespace', async () => {
    reply = { status: 200, json: { revision: 1, items: [] } };
    const cli = io({ WEFT_PILOT_URL: url });
    expect(await runCli(['get', 'dr', '-n', 'shop'], cli)).toBe(0);
    expect(await runCli(['get', 'ServiceEntries', '-A'], cli)).toBe(0);
    expect(await runCli(['--pilot-url', url, 'get', 'we'], io({}))).toBe(0);
    expect(seen.map((s) => s.url)).toEqual(['/v1/rules?kind=DestinationRule&namespace=shop', '/v1/rules?kind=ServiceEntry', '/v1/rules?kind=WorkloadEntry&namespace=default']);
    expect(cli.errors()).toContain('No resources found in shop namespace.');
  });

  it('a 401 hints at WEFT_PILOT_TOKEN; a 503 counts as unavailable (3)', async () => {
    reply = { status: 401, json: { error: { code: 'WEFT_ERR_AUTH_MISSING', message: 'a bearer token is required', issues: [] } } };
    const cli = io({ WEFT_PILOT_URL: url });
    expect(await runCli(['delete', 'vs', 'reviews'], cli)).toBe(1);
    expect(cli.errors()).toContain('set WEFT_PILOT_TOKEN');
    reply = { status: 503, json: { error: { code: 'WEFT_ERR_PILOT_STORE', message: 'rules store unavailable', issues: [] } } };
    expect(await runCli(['get', 'vs'], cli)).toBe(3);
  });

  it('usage errors exit 2 and name the verb’s help', async () => {
    const cli = io({ WEFT_PILOT_URL: url });
    expect(await runCli(['get'], cli)).toBe(2);
    expect(await runCli(['proxy-config', 'p1', 'secrets'], cli)).toBe(2);
    expect(await runCli(['get', 'vs', '-o', 'xml'], cli)).toBe(2);
    expect(cli.errors()).toContain("See 'weftctl get --help' for usage.");
    expect(seen).toEqual([]);
  });
});
