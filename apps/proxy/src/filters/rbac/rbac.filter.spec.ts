import { Registry } from 'prom-client';
import { loadBootstrap } from '../../config/bootstrap.loader';
import type { LocalReply } from '../../errors/rescue';
import { RequestContext } from '../../listener/request-context';
import { buildFilterChain } from '../filter-chain';
import type { HttpFilter, RouteFilterConfig } from '../filter';

const NO_OVERRIDES: RouteFilterConfig = { route: { fault: null, localRateLimit: null }, vhost: { fault: null, localRateLimit: null } };
const RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';

/** An inbound listener (app port 9080) with these RBAC filter configs (JSON) before the router. */
function bootstrap(rbacConfigs: readonly unknown[], hcmExtra: Record<string, unknown> = {}): string {
  const filters = rbacConfigs.map((c, i) => ({ name: `rbac-${i}`, typed_config: { '@type': RBAC_TYPE, ...(c as object) } }));
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'inbound',
    ...hcmExtra,
    route_config: { name: 'inbound', virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|9080||' } }] }] },
    http_filters: [...filters, { name: 'router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  const listener = { name: 'inbound', traffic_direction: 'INBOUND', address: { socket_address: { address: '127.0.0.1', port_value: 15006 } }, filter_chains: [{ filters: [{ name: 'hcm', typed_config: hcm }] }] };
  const endpoint = { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9080 } } } };
  const cluster = { name: 'inbound|9080||', type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: 'inbound|9080||', endpoints: [{ lb_endpoints: [endpoint] }] } };
  return JSON.stringify({ static_resources: { listeners: [listener], clusters: [cluster] } });
}

function chain(rbacConfigs: readonly unknown[], registry: Registry | null = null, hcmExtra: Record<string, unknown> = {}): readonly HttpFilter[] {
  const [listener] = loadBootstrap(bootstrap(rbacConfigs, hcmExtra), 'rbac.json').snapshot.listeners;
  const hcm = listener?.http ?? null;
  return buildFilterChain(hcm?.httpFilters ?? [], { registry, logger: null, hcm });
}

interface Req {
  method?: string;
  path?: string;
  authority?: string;
  headers?: Record<string, string>;
  remote?: string;
  localPort?: number;
  peer?: string | null;
  sni?: string;
}

function request(r: Req): RequestContext {
  const req = {
    method: r.method ?? 'GET',
    url: r.path ?? '/',
    headers: { host: r.authority ?? 'reviews:9080', ...r.headers },
    httpVersionMajor: 1,
    socket: { remoteAddress: r.remote ?? '10.0.0.7', localPort: r.localPort ?? 15006, localAddress: '10.0.0.1', servername: r.sni },
  };
  const ctx = new RequestContext(req as never, {} as never);
  ctx.peerPrincipal = r.peer ?? null;
  return ctx;
}

/** The status the chain answers (200: every filter continued). */
function status(filters: readonly HttpFilter[], r: Req): number {
  const ctx = request(r);
  for (const f of filters) {
    const reply = f.decode(ctx, NO_OVERRIDES) as LocalReply | null;
    if (reply !== null) return reply.status;
  }
  return 200;
}

const policy = (permissions: unknown[], principals: unknown[] = [{ any: true }]) => ({ permissions, principals });
const allow = (policies: Record<string, unknown>) => ({ rules: { action: 'ALLOW', policies } });
const deny = (policies: Record<string, unknown>) => ({ rules: { action: 'DENY', policies } });
const method = (m: string) => ({ header: { name: ':method', string_match: { exact: m } } });
const path = (match: Record<string, string>) => ({ url_path: { path: match } });
const principal = (match: Record<string, string>) => ({ authenticated: { principal_name: match } });
const SLEEP = 'spiffe://cluster.local/ns/foo/sa/sleep';

describe('RbacFilter: leaves, sets and actions', () => {
  it.each<[string, unknown[], Req, number]>([
    ['no rules: everything passes', [{}], { method: 'DELETE' }, 200],
    ['ALLOW with no policy: allow-nothing', [allow({})], {}, 403],
    ['ALLOW GET: GET passes', [allow({ p: policy([method('GET')]) })], { method: 'GET' }, 200],
    ['ALLOW GET: POST is denied', [allow({ p: policy([method('GET')]) })], { method: 'POST' }, 403],
    ['url_path ignores the query string', [allow({ p: policy([path({ exact: '/public' })]) })], { path: '/public?x=1' }, 200],
    ['url_path prefix', [allow({ p: policy([path({ prefix: '/api/' })]) })], { path: '/apix' }, 403],
    ['url_path suffix', [allow({ p: policy([path({ suffix: '.css' })]) })], { path: '/a/b.css' }, 200],
    ['destination_port: the inbound app port', [allow({ p: policy([{ destination_port: 9080 }]) })], {}, 200],
    ['destination_port: the listener port', [allow({ p: policy([{ destination_port: 15006 }]) })], {}, 200],
    ['destination_port: another port', [allow({ p: policy([{ destination_port: 8080 }]) })], {}, 403],
    ['destination_port_range [9000, 9100)', [allow({ p: policy([{ destination_port_range: { start: 9000, end: 9100 } }]) })], {}, 200],
    ['and_rules: both must hold', [allow({ p: policy([{ and_rules: { rules: [method('GET'), path({ prefix: '/a' })] } }]) })], { path: '/b' }, 403],
    ['or_rules: one suffices', [allow({ p: policy([{ or_rules: { rules: [method('PUT'), path({ prefix: '/a' })] } }]) })], { path: '/a' }, 200],
    ['not_rule (notMethods)', [allow({ p: policy([{ not_rule: method('DELETE') }]) })], { method: 'DELETE' }, 403],
    ['header present', [allow({ p: policy([{ header: { name: 'x-token', present_match: true } }]) })], { headers: { 'x-token': 'a' } }, 200],
    ['header absent', [allow({ p: policy([{ header: { name: 'x-token', present_match: true } }]) })], {}, 403],
    [':authority ignore_case', [allow({ p: policy([{ header: { name: ':authority', string_match: { prefix: 'REVIEWS', ignore_case: true } } }]) })], {}, 200],
    ['requested_server_name', [allow({ p: policy([{ requested_server_name: { exact: 'outbound_.9080_._.reviews' } }]) })], { sni: 'outbound_.9080_._.reviews' }, 200],
    ['principal exact', [allow({ p: policy([{ any: true }], [principal({ exact: SLEEP })]) })], { peer: SLEEP }, 200],
    ['principal: another identity', [allow({ p: policy([{ any: true }], [principal({ exact: SLEEP })]) })], { peer: 'spiffe://cluster.local/ns/foo/sa/other' }, 403],
    ['principal: plaintext has none', [allow({ p: policy([{ any: true }], [principal({ exact: SLEEP })]) })], { peer: null }, 403],
    ['authenticated without a name: any mTLS peer', [allow({ p: policy([{ any: true }], [{ authenticated: {} }]) })], { peer: SLEEP }, 200],
    [
      'namespace as a principal regex',
      [allow({ p: policy([{ any: true }], [principal({ safe_regex: { regex: 'spiffe://[^/]+/ns/foo/sa/.*' } } as never)]) })],
      { peer: SLEEP },
      200,
    ],
    ['direct_remote_ip CIDR', [allow({ p: policy([{ any: true }], [{ direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }]) })], { remote: '10.1.2.3' }, 200],
    ['direct_remote_ip outside', [allow({ p: policy([{ any: true }], [{ direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }]) })], { remote: '192.168.1.1' }, 403],
    ['IPv4-mapped peer address', [allow({ p: policy([{ any: true }], [{ remote_ip: { address_prefix: '127.0.0.1', prefix_len: 32 } }]) })], { remote: '::ffff:127.0.0.1' }, 200],
    ['not_id', [allow({ p: policy([{ any: true }], [{ not_id: principal({ exact: SLEEP }) }]) })], { peer: SLEEP }, 403],
    ['DENY matching', [deny({ d: policy([path({ prefix: '/admin' })]) })], { path: '/admin/users' }, 403],
    ['DENY not matching', [deny({ d: policy([path({ prefix: '/admin' })]) })], { path: '/public' }, 200],
    ['DENY before ALLOW-all', [deny({ d: policy([path({ prefix: '/admin' })]) }), allow({ a: policy([{ any: true }]) })], { path: '/admin' }, 403],
    ['LOG never denies', [{ rules: { action: 'LOG', policies: { l: policy([{ any: true }]) } } }], {}, 200],
  ])('%s', (_name, configs, req, expected) => {
    expect(status(chain(configs), req)).toBe(expected);
  });
});

describe('RbacFilter: the denial', () => {
  it('answers 403 "RBAC: access denied" with flag RBAC, gRPC PERMISSION_DENIED, and counts it by policy', async () => {
    const registry = new Registry();
    const filters = chain([deny({ 'ns[foo]-policy[no-admin]-rule[0]': policy([path({ prefix: '/admin' })]) }), allow({ a: policy([method('GET')]) })], registry);
    const denied = (r: Req) => filters.map((f) => f.decode(request(r), NO_OVERRIDES)).find((x) => x !== null) as LocalReply;
    const byDeny = denied({ path: '/admin' });
    expect(byDeny).toMatchObject({ status: 403, body: 'RBAC: access denied', flag: 'RBAC', grpcStatus: null });
    expect(byDeny.reason).toContain('ns[foo]-policy[no-admin]-rule[0]');
    expect(denied({ method: 'POST', headers: { 'content-type': 'application/grpc' } })).toMatchObject({ status: 403, grpcStatus: 7 });
    const text = await registry.metrics();
    expect(text).toContain('weft_proxy_rbac_denied_total{policy="ns[foo]-policy[no-admin]-rule[0]"} 1');
    expect(text).toContain('weft_proxy_rbac_denied_total{policy="none"} 1');
  });

  it('evaluates policies in name order: the first match names the denial', () => {
    const filters = chain([deny({ b: policy([{ any: true }]), a: policy([{ any: true }]) })]);
    const reply = filters[0]?.decode(request({}), NO_OVERRIDES) as LocalReply;
    expect(reply.reason).toContain('policy a');
  });
});

describe('RBAC config: rejected with the field path', () => {
  it.each<[string, unknown, string]>([
    ['shadow rules', { shadow_rules: { action: 'DENY' } }, 'shadow_rules'],
    ['a CEL condition', { rules: { policies: { p: { permissions: [{ any: true }], principals: [{ any: true }], condition: { id: 1 } } } } }, 'condition'],
    ['metadata principals', { rules: { policies: { p: { permissions: [{ any: true }], principals: [{ metadata: { filter: 'x' } }] } } } }, 'metadata'],
    ['a prefix longer than the address', { rules: { policies: { p: { permissions: [{ any: true }], principals: [{ direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: 33 } }] } } } }, 'prefix_len'],
    ['a policy without principals', { rules: { policies: { p: { permissions: [{ any: true }] } } } }, 'principals'],
  ])('%s', (_name, config, field) => {
    expect(() => chain([config])).toThrow(field);
  });
});

describe('RBAC with WebSocket upgrades', () => {
  it('is accepted: upgrades run the HTTP filters like any request', () => {
    expect(chain([allow({})], null, { upgrade_configs: [{ upgrade_type: 'websocket' }] }).map((f) => f.name)).toEqual(['rbac-0']);
  });
});
