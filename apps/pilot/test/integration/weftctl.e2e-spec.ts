import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { createTestInfra, reviewsDestinationRule, reviewsVirtualService, type TestInfra } from '@weft/testing';
import { startPilotHttp, type PilotHttpHarness } from './pilot-http-harness';

/**
 * weftctl as users run it — the BUILT bin (pilot's test target depends on `weftctl:build`), as a child process — against pilot's
 * REST edge started in-process on port 0 over the suite's real Redis + NATS. (It lives here because
 * weftctl's project may not import pilot's sources.)
 */
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'apps/weftctl/bin/weftctl.js');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function weftctl(args: string[], o: { url: string; stdin?: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, WEFT_PILOT_URL: o.url, WEFT_PILOT_TOKEN: '', ...o.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
    child.stdin.end(o.stdin ?? '');
  });
}

const DR = reviewsDestinationRule();
const vs = reviewsVirtualService;

describe('weftctl (built bin) against pilot’s REST API', () => {
  let infra: TestInfra;
  let pilot: PilotHttpHarness;
  let dir: string;
  const ctl = (args: string[], o: { stdin?: string; env?: Record<string, string> } = {}) => weftctl(args, { url: pilot.url, ...o });

  beforeAll(async () => {
    infra = await createTestInfra('weftctl');
    pilot = await startPilotHttp(infra, { replica: 'pilot-1' });
    dir = mkdtempSync(join(tmpdir(), 'weftctl-'));
    writeFileSync(join(dir, 'a-destination-rule.yaml'), DR);
    writeFileSync(join(dir, 'b-virtual-service.yaml'), `# the 90/10 split\n${vs(90, 10)}`);
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
  }, 180_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pilot?.close();
    await infra?.close();
  });

  it('apply -f DIR applies every file, kubectl-style; again is unchanged; --dry-run stores nothing', async () => {
    const first = await ctl(['apply', '-f', dir]);
    expect(first).toEqual({ code: 0, err: '', out: 'destinationrule.networking.istio.io/reviews created\nvirtualservice.networking.istio.io/reviews created\n' });
    expect((await ctl(['apply', '-f', dir])).out).toContain('virtualservice.networking.istio.io/reviews unchanged');
    const dry = await ctl(['apply', '-f', '-', '--dry-run'], { stdin: vs(50, 50) });
    expect(dry.out).toBe('virtualservice.networking.istio.io/reviews configured (dry run)\n');
    expect((await pilot.repo.get('VirtualService/default/reviews'))?.raw).toEqual(parse(vs(90, 10)));
  });

  it('the demo rules `npm run up` applies pass validation (dry run)', async () => {
    const res = await ctl(['apply', '-f', 'demo/rules', '--dry-run']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toContain('virtualservice.networking.istio.io/reviews configured (dry run)');
    expect(res.out).toContain('destinationrule.networking.istio.io/productpage created (dry run)');
  });

  it('get -o yaml prints the documents as applied (re-appliable); get -A prints a table', async () => {
    const got = await ctl(['get', 'virtualservices', 'reviews', '-o', 'yaml']);
    expect(got.code).toBe(0);
    expect(parseAllDocuments(got.out).map((d) => d.toJS() as unknown)).toEqual([parse(vs(90, 10))]);
    expect((await ctl(['apply', '-f', '-'], { stdin: got.out })).out).toBe('virtualservice.networking.istio.io/reviews unchanged\n');
    const table = await ctl(['get', 'vs,dr', '-A']);
    expect(table.out).toMatch(/^NAMESPACE\s+NAME\s+GATEWAYS\s+HOSTS\s+AGE\ndefault\s+virtualservice\.networking\.istio\.io\/reviews\s+\["reviews"\]/);
    expect(table.out).toMatch(/NAMESPACE\s+NAME\s+HOST\s+AGE\ndefault\s+destinationrule\.networking\.istio\.io\/reviews\s+reviews/);
    const missing = await ctl(['get', 'vs', 'ratings']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('NotFound');
  });

  it('a bad file exits 1 naming file, document, field path and reason, and nothing is applied', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `${vs(10, 90)}---\n${vs(10, 90).replace('name: reviews', 'name: ratings').replace('weight: 10', 'weight: ten')}`);
    const res = await ctl(['apply', '-f', bad]);
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toContain(`${bad}#2 VirtualService default/ratings: spec.http[0].route[0].weight:`);
    expect(res.err).toMatch(/expected number/);
    expect((await pilot.repo.get('VirtualService/default/reviews'))?.raw).toEqual(parse(vs(90, 10)));
    rmSync(bad);
  });

  it('analyze prints findings like istioctl and fails only on errors', async () => {
    pilot.analysis = [{ level: 'Warning', code: 'IST0101', document: 'VirtualService default/reviews', message: 'Referenced host+subset in destinationrule not found: "reviews+v4"' }];
    const warn = await ctl(['analyze']);
    expect(warn).toMatchObject({ code: 0, out: 'Warning [IST0101] (VirtualService default/reviews) Referenced host+subset in destinationrule not found: "reviews+v4"\n' });
    pilot.analysis = [...pilot.analysis, { level: 'error', code: 'IST0145', document: 'VirtualService/default/reviews', message: 'conflict' }];
    const err = await ctl(['analyze']);
    expect(err.code).toBe(1);
    expect(err.out).toContain('Error [IST0145] (VirtualService default/reviews) conflict');
    pilot.analysis = [];
    expect((await ctl(['analyze'])).err).toContain('No validation issues found');
  });

  it('proxy-status shows each proxy’s per-type sync state', async () => {
    const node = { id: 'reviews-v1-1', cluster: 'reviews', kind: 'weft' as const, userAgent: 'weft-proxy', namespace: 'default', service: 'reviews', labels: {}, locality: { region: '', zone: '', subZone: '' }, appPort: 9080, outboundPort: 15001, inboundPort: 15006 };
    const t = (state: 'SYNCED' | 'NACK') => ({ subscribed: ['*'], acked: {}, state, error: state === 'NACK' ? 'bad route' : null, lastSentAt: 1, lastAckAt: 1 });
    pilot.status.update({ proxyId: 'reviews-v1-1', node, replica: 'pilot-1', protocol: 'delta', connectedAt: Date.now(), types: { cds: t('SYNCED'), lds: t('SYNCED'), eds: t('SYNCED'), rds: t('NACK') } });
    await pilot.status.flush();
    const res = await ctl(['proxy-status']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^NAME\s+NAMESPACE\s+CDS\s+LDS\s+EDS\s+RDS\s+VHDS\s+PILOT\s+PROTOCOL\s+XDS-TLS/);
    expect(res.out).toMatch(/reviews-v1-1\s+default\s+SYNCED\s+SYNCED\s+SYNCED\s+NACK\s+IGNORED\s+pilot-1\s+delta\s+plaintext/);
  });

  it('delete -f and delete KIND NAME', async () => {
    const byFile = await ctl(['delete', '-f', join(dir, 'a-destination-rule.yaml')]);
    expect(byFile).toMatchObject({ code: 0, out: 'destinationrule.networking.istio.io/reviews deleted\n' });
    expect((await ctl(['delete', 'vs', 'reviews'])).out).toBe('virtualservice.networking.istio.io/reviews deleted\n');
    const again = await ctl(['delete', 'vs', 'reviews']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('NotFound');
  });

  it('exits 3 naming the URL when pilot is unreachable, 2 on bad usage', async () => {
    const down = await weftctl(['get', 'vs'], { url: 'http://127.0.0.1:9' });
    expect(down.code).toBe(3);
    expect(down.err).toContain('http://127.0.0.1:9');
    expect((await ctl(['frobnicate'])).code).toBe(2);
    expect((await ctl(['apply'])).code).toBe(2);
    expect((await ctl(['get', 'gadgets'])).code).toBe(2);
    expect((await ctl(['apply', '--help'])).out).toContain('weftctl apply -f FILE|DIR|-');
  });
});
