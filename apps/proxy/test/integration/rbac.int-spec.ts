import { connect, constants } from 'node:http2';
import { request } from 'undici';
import type { HttpHandler } from '../../src/listener/http-listener';
import type { RequestContext } from '../../src/listener/request-context';
import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, type RunningProxy, type Upstream } from './harness';

/**
 * The RBAC filter in a running proxy over real sockets: an INBOUND listener in front of an app
 * (cluster `inbound|<appPort>||`, so Istio-style `destination_port` names the app port), DENY then
 * ALLOW filters as pilot generates them. Denied requests never reach the app, on HTTP/1.1 and h2c,
 * gRPC gets PERMISSION_DENIED, denials are counted, and a config swap changes the decision.
 */

jest.setTimeout(15_000);

const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const SLEEP = 'spiffe://cluster.local/ns/foo/sa/sleep';

function rbacFilter(name: string, rules: unknown): string {
  return `
          - name: ${name}
            typed_config: ${JSON.stringify({ '@type': RBAC, rules })}`;
}

const method = (m: string) => ({ header: { name: ':method', string_match: { exact: m } } });
const prefix = (p: string) => ({ url_path: { path: { prefix: p } } });

/** DENY /admin*; ALLOW GET on the app port, or anything from the sleep identity. */
function config(appPort: number, allowGetOnPort: number): string {
  const deny = rbacFilter('rbac-deny', { action: 'DENY', policies: { 'ns[foo]-policy[deny-admin]-rule[0]': { permissions: [prefix('/admin')], principals: [{ any: true }] } } });
  const allow = rbacFilter('rbac-allow', {
    action: 'ALLOW',
    policies: {
      'ns[foo]-policy[get]-rule[0]': { permissions: [{ and_rules: { rules: [method('GET'), { destination_port: allowGetOnPort }] } }], principals: [{ any: true }] },
      'ns[foo]-policy[sleep]-rule[0]': { permissions: [{ any: true }], principals: [{ authenticated: { principal_name: { exact: SLEEP } } }] },
    },
  });
  const vhosts = `
            - name: inbound
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: "inbound|${appPort}||" }`;
  return bootstrap(httpListener('inbound', vhosts, { filters: deny + allow, direction: 'INBOUND' }), cluster(`"inbound|${appPort}||"`, [appPort]));
}

/** Test-only: the peer identity mTLS would provide, taken from a header (the TLS layer sets it for real). */
function withSyntheticPeer(px: RunningProxy): void {
  const listener = (px.proxy as unknown as { listeners: Map<string, { setHandler(h: HttpHandler): void }> }).listeners.get('inbound');
  const stage = px.proxy.stageFor('inbound');
  if (listener === undefined || stage === null) throw new Error('no inbound listener');
  listener.setHandler({
    handle(ctx: RequestContext): void {
      const peer = ctx.headers['x-test-peer'];
      ctx.peerPrincipal = typeof peer === 'string' ? peer : null;
      stage.handle(ctx);
    },
  });
}

async function metricsText(px: RunningProxy): Promise<string> {
  return (await request(`http://127.0.0.1:${px.adminPort}/stats/prometheus`)).body.text();
}

describe('RBAC filter (integration)', () => {
  let app: Upstream;
  let px: RunningProxy;
  let port: number;

  beforeAll(async () => {
    app = await startUpstream('app');
    px = await startProxy(config(app.port, app.port));
    port = px.port('inbound');
    withSyntheticPeer(px);
  });
  afterAll(async () => {
    await px.close();
    await app.close();
  });

  it.each<[string, string, string, Record<string, string>, number]>([
    ['GET on the app port is allowed', 'GET', '/reviews/1', {}, 200],
    ['POST is not allowed', 'POST', '/reviews/1', {}, 403],
    ['DENY /admin beats every ALLOW', 'GET', '/admin/users', {}, 403],
    ['the sleep identity may POST', 'POST', '/reviews/1', { 'x-test-peer': SLEEP }, 200],
    ['another identity may not', 'POST', '/reviews/1', { 'x-test-peer': 'spiffe://cluster.local/ns/foo/sa/other' }, 403],
    ['DENY /admin applies to the sleep identity too', 'GET', '/admin', { 'x-test-peer': SLEEP }, 403],
  ])('%s', async (_name, verb, path, headers, status) => {
    const seen = app.seen.length;
    const res = await get(port, path, headers, verb);
    expect(res.status).toBe(status);
    expect(app.seen.length - seen).toBe(status === 200 ? 1 : 0);
    if (status === 403) {
      expect(res.body).toBe('RBAC: access denied');
      expect(String(res.headers['x-weft-error'])).toMatch(/^WEFT_ERR_PROXY_RBAC_DENIED: /);
    }
  });

  it('h2c is denied the same way; gRPC gets PERMISSION_DENIED (7) in trailers-only', async () => {
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      const ask = (headers: Record<string, string>) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const stream = session.request(headers);
          stream.on('response', (h) => resolve(h as Record<string, unknown>));
          stream.on('error', reject);
          stream.resume();
          stream.end();
        });
      const plain = await ask({ [constants.HTTP2_HEADER_METHOD]: 'DELETE', [constants.HTTP2_HEADER_PATH]: '/x' });
      expect(plain[':status']).toBe(403);
      const grpc = await ask({ ':method': 'POST', ':path': '/reviews.Reviews/Get', 'content-type': 'application/grpc', te: 'trailers' });
      expect(grpc['grpc-status']).toBe('7');
    } finally {
      session.close();
    }
  });

  it('counts denials by policy and flags them RBAC in the request metrics', async () => {
    const text = await metricsText(px);
    expect(text).toMatch(/weft_proxy_rbac_denied_total\{policy="ns\[foo\]-policy\[deny-admin\]-rule\[0\]"\} 2\n/);
    expect(text).toMatch(/weft_proxy_rbac_denied_total\{policy="none"\} [1-9]/);
    expect(text).toMatch(/istio_requests_total\{[^}]*response_code="403"[^}]*response_flags="RBAC"[^}]*\} [1-9]/);
  });

  it('a new config changes the decision for new requests (ALLOW GET on another port: nothing matches)', async () => {
    expect((await get(port, '/reviews/1')).status).toBe(200);
    await px.proxy.apply(px.proxy['options'].parseConfig(config(app.port, 1)));
    expect(px.port('inbound')).toBe(port);
    expect((await get(port, '/reviews/1')).status).toBe(403);
  });
});
