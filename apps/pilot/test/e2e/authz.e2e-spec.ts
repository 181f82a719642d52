import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { startPilot, startRegistry, startSidecar, VersionApp, weftctl, type PilotProcess, type Running } from './mesh-harness';

/**
 * AuthorizationPolicy end to end: Istio's YAML applied with weftctl, translated by pilot into RBAC
 * filters on the reviews sidecar's inbound listener, enforced by the proxy against real requests.
 * Each phase replaces the policies, waits until the whole matrix answers as Istio documents, then
 * checks once more that the app saw exactly the allowed requests.
 */
interface Case {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly status: 200 | 403;
}

interface Phase {
  readonly name: string;
  readonly yaml: (appPort: number) => string;
  readonly cases: readonly Case[];
}

function ap(name: string, spec: string, namespace = 'default'): string {
  return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec.replace(/^/gm, '  ')}\n---\n`;
}

const get = (path: string, status: 200 | 403, what = `GET ${path}`): Case => ({ what, method: 'GET', path, status });

const PHASES: readonly Phase[] = [
  { name: 'no policy: everything is allowed', yaml: () => '', cases: [get('/anything', 200), { what: 'DELETE /', method: 'DELETE', path: '/', status: 200 }] },
  {
    name: 'ALLOW GET /public',
    yaml: () => ap('public', 'selector: {matchLabels: {app: reviews}}\naction: ALLOW\nrules:\n- to:\n  - operation: {methods: [GET], paths: [/public]}'),
    cases: [get('/public', 200), { what: 'POST /public', method: 'POST', path: '/public', status: 403 }, get('/private', 403), get('/public?page=2', 200)],
  },
  {
    name: 'DENY /admin* beats ALLOW all',
    yaml: () => ap('allow-all', 'rules: [{}]') + ap('deny-admin', 'action: DENY\nrules:\n- to:\n  - operation: {paths: ["/admin*"]}'),
    cases: [get('/admin/users', 403), get('/administrator', 403), get('/home', 200)],
  },
  {
    name: 'ALLOW notMethods [DELETE]',
    yaml: () => ap('no-delete', 'rules:\n- to:\n  - operation: {notMethods: [DELETE]}'),
    cases: [{ what: 'DELETE /x', method: 'DELETE', path: '/x', status: 403 }, { what: 'PUT /x', method: 'PUT', path: '/x', status: 200 }],
  },
  {
    name: 'ALLOW on the workload port only',
    yaml: (appPort) => ap('app-port', `rules:\n- to:\n  - operation: {ports: ["${appPort}"], notPaths: ["/internal*"]}`),
    cases: [get('/', 200), get('/internal/debug', 403)],
  },
  {
    name: 'ALLOW another port: nothing matches',
    yaml: () => ap('other-port', 'rules:\n- to:\n  - operation: {ports: ["1"]}'),
    cases: [get('/', 403)],
  },
  {
    name: 'ALLOW when request.headers[x-token] is abc*',
    yaml: () => ap('token', 'rules:\n- when:\n  - key: request.headers[x-token]\n    values: ["abc*"]'),
    cases: [
      { what: 'x-token: abc123', method: 'GET', path: '/', headers: { 'x-token': 'abc123' }, status: 200 },
      { what: 'x-token: zzz', method: 'GET', path: '/', headers: { 'x-token': 'zzz' }, status: 403 },
      get('/', 403, 'no x-token'),
    ],
  },
  { name: 'spec: {} is allow-nothing', yaml: () => ap('allow-nothing', '{}'), cases: [get('/', 403), { what: 'POST /', method: 'POST', path: '/', status: 403 }] },
  { name: 'AUDIT never denies', yaml: () => ap('audit', 'action: AUDIT\nrules: [{}]'), cases: [get('/', 200)] },
  {
    name: 'a policy selecting another workload does not apply',
    yaml: () => ap('ratings-nothing', 'selector: {matchLabels: {app: ratings}}') + ap('bar-nothing', '{}', 'bar'),
    cases: [get('/', 200)],
  },
  {
    name: 'mesh-wide DENY from istio-system',
    yaml: () => ap('no-patch', 'action: DENY\nrules:\n- to:\n  - operation: {methods: [PATCH]}', 'istio-system'),
    cases: [{ what: 'PATCH /', method: 'PATCH', path: '/', status: 403 }, get('/', 200)],
  },
  {
    name: 'sources: ipBlocks (loopback) allowed, a namespace needs mTLS (plaintext has no identity)',
    yaml: () =>
      ap('loopback', 'rules:\n- from:\n  - source: {ipBlocks: [127.0.0.0/8]}\n  to:\n  - operation: {paths: [/ip]}') +
      ap('from-default', 'rules:\n- from:\n  - source: {namespaces: [default]}\n  to:\n  - operation: {paths: [/ns]}') +
      ap('from-sleep', 'rules:\n- from:\n  - source: {principals: [cluster.local/ns/default/sa/sleep]}\n  to:\n  - operation: {paths: [/sa]}'),
    cases: [get('/ip', 200), get('/ns', 403), get('/sa', 403)],
  },
];

describe('AuthorizationPolicy through pilot and the inbound sidecar (end to end)', () => {
  let infra: TestInfra;
  let registry: Running & { base: string };
  let pilot: PilotProcess;
  let sidecar: Running & { admin: string; inbound: number };
  const app = new VersionApp('reviews', 'v1');
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  let dir: string;
  let applied = '';

  async function call(c: Case): Promise<{ status: number; body: string }> {
    const res = await request(`http://127.0.0.1:${sidecar.inbound}${c.path}`, { dispatcher: agent, method: c.method, headers: { host: 'reviews:9080', ...c.headers } });
    return { status: res.statusCode, body: await res.body.text() };
  }

  async function replacePolicies(documents: string): Promise<void> {
    const yaml = documents.replace(/---\n$/, ''); // weftctl delete reads a trailing empty document as a kind-less rule
    if (applied !== '') {
      const out = await weftctl(pilot.http, ['delete', '-f', '-'], applied);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
    }
    if (yaml !== '') {
      const out = await weftctl(pilot.http, ['apply', '-f', '-'], yaml);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
    }
    applied = yaml;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-authz-'));
    infra = await createTestInfra('authz');
    registry = await startRegistry(infra);
    pilot = await startPilot(infra, 'pilot-1');
    await app.start();
    sidecar = await startSidecar({
      xds: [pilot.xds],
      service: 'reviews',
      namespace: 'default',
      labels: { app: 'reviews', version: 'v1' },
      nodeId: 'sidecar~127.0.0.1~reviews-v1.default',
      outboundPort: 0,
      appPort: app.port,
      cacheFile: join(dir, 'reviews.xds.json'),
    });
  }, 60_000);

  afterAll(async () => {
    await sidecar?.proc.kill('SIGKILL');
    await pilot?.proc.kill('SIGKILL');
    await registry?.proc.kill('SIGTERM');
    await app.close();
    await agent.close();
    await infra?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(PHASES.map((p) => [p.name, p] as const))('%s', async (_name, phase) => {
    await replacePolicies(phase.yaml(app.port));
    const answers = async (): Promise<string[]> => Promise.all(phase.cases.map(async (c) => `${c.what} → ${(await call(c)).status}`));
    const expected = phase.cases.map((c) => `${c.what} → ${c.status}`);
    await waitFor(async () => JSON.stringify(await answers()) === JSON.stringify(expected), { timeoutMs: 15_000, what: `${phase.name}: ${expected.join(', ')}` }).catch(async (err: Error) => {
      expect(await answers()).toEqual(expected); // shows which case differs
      throw err;
    });
    const before = app.served;
    for (const c of phase.cases) {
      const { status, body } = await call(c);
      expect(`${c.what} → ${status}`).toBe(`${c.what} → ${c.status}`);
      if (status === 403) expect(body).toBe('RBAC: access denied');
    }
    expect(app.served - before).toBe(phase.cases.filter((c) => c.status === 200).length);
  }, 30_000);

  it('counts denials by policy and marks them with response flag RBAC', async () => {
    const metrics = await (await fetch(`${sidecar.admin}/stats/prometheus`)).text();
    expect(metrics).toMatch(/weft_proxy_rbac_denied_total\{policy="ns\[default\]-policy\[deny-admin\]-rule\[0\]"\} [1-9]\d*/);
    expect(metrics).toMatch(/weft_proxy_rbac_denied_total\{policy="none"\} \d+/);
    expect(metrics).toMatch(/istio_requests_total\{[^}]*response_code="403"[^}]*response_flags="RBAC"/);
  });
});
