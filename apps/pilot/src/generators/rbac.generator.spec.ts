import { decodeResource, encodeResource, TYPE_URL } from '@weft/xds';
import { rules } from '../model/mesh-fixtures.spec-helper';
import { RuleIndex } from '../model/rule-index';
import { generateInboundListener } from './listener.generator';
import { generateRbacFilters, RBAC_TYPE, withHttpFilters } from './rbac.generator';

type Obj = Record<string, unknown>;

function filtersFor(yaml: string, namespace = 'foo', labels: Record<string, string> = { app: 'httpbin' }): Obj[] {
  return generateRbacFilters(new RuleIndex(rules(yaml)).authorizationPolicies(namespace, labels));
}

function ap(name: string, spec: string, namespace = 'foo'): string {
  return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${spec.replace(/^/gm, '  ')}\n---\n`;
}

const rulesOf = (f: Obj | undefined): Obj => (f?.['typed_config'] as Obj)['rules'] as Obj;

describe('generateRbacFilters', () => {
  it('no policy: no filter', () => {
    expect(filtersFor('')).toEqual([]);
  });

  it('one filter per action, AUDIT (LOG) then DENY then ALLOW; one Envoy policy per Istio rule', () => {
    const yaml =
      ap('allow-get', 'rules: [{to: [{operation: {methods: [GET]}}]}, {to: [{operation: {paths: [/healthz]}}]}]') +
      ap('deny-admin', 'action: DENY\nrules: [{to: [{operation: {paths: ["/admin*"]}}]}]') +
      ap('audit', 'action: AUDIT\nrules: [{}]');
    const filters = filtersFor(yaml);
    expect(filters.map((f) => [f['name'], rulesOf(f)['action']])).toEqual([
      ['envoy.filters.http.rbac.audit', 'LOG'],
      ['envoy.filters.http.rbac.deny', 'DENY'],
      ['envoy.filters.http.rbac', 'ALLOW'],
    ]);
    expect(Object.keys(rulesOf(filters[2])['policies'] as Obj)).toEqual(['ns[foo]-policy[allow-get]-rule[0]', 'ns[foo]-policy[allow-get]-rule[1]']);
    expect((rulesOf(filters[1])['policies'] as Obj)['ns[foo]-policy[deny-admin]-rule[0]']).toEqual({
      permissions: [{ url_path: { path: { prefix: '/admin' } } }],
      principals: [{ any: true }],
    });
    expect((filters[0]?.['typed_config'] as Obj)['@type']).toBe(RBAC_TYPE);
  });

  it('`spec: {}` is allow-nothing: an ALLOW filter without policies; DENY without rules adds nothing', () => {
    const filters = filtersFor(ap('nothing', '{}') + ap('deny-none', 'action: DENY'));
    expect(filters).toEqual([{ name: 'envoy.filters.http.rbac', typed_config: { '@type': RBAC_TYPE, rules: { action: 'ALLOW', policies: {} } } }]);
  });

  it('translates sources, operations, not* twins and when conditions as Istio does', () => {
    const spec = `rules:
- from:
  - source: {principals: [cluster.local/ns/default/sa/sleep], notNamespaces: [dev]}
  - source: {ipBlocks: [10.0.0.0/8, 192.168.1.1]}
  to:
  - operation: {hosts: [httpbin.foo], notMethods: [DELETE], ports: ["8000"], paths: ["*.css"]}
  when:
  - {key: "request.headers[X-Token]", values: ["abc*"]}
  - {key: source.namespace, values: [default]}`;
    const policy = (rulesOf(filtersFor(ap('p', spec))[0])['policies'] as Obj)['ns[foo]-policy[p]-rule[0]'] as { permissions: Obj[]; principals: Obj[] };
    const authority = (v: string) => ({ header: { name: ':authority', string_match: { ...(v.endsWith(':') ? { prefix: v } : { exact: v }), ignore_case: true } } });
    expect(policy.permissions).toEqual([
      {
        and_rules: {
          rules: [
            { or_rules: { rules: [authority('httpbin.foo'), authority('httpbin.foo:')] } },
            { destination_port: 8000 },
            { not_rule: { header: { name: ':method', string_match: { exact: 'DELETE' } } } },
            { url_path: { path: { suffix: '.css' } } },
            { header: { name: 'x-token', string_match: { prefix: 'abc' } } },
          ],
        },
      },
    ]);
    const nsOf = (ns: string) => ({ authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${ns}/sa/.*` } } } });
    expect(policy.principals).toEqual([
      {
        and_ids: {
          ids: [{ authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/default/sa/sleep' } } }, { not_id: nsOf('dev') }, nsOf('default')],
        },
      },
      {
        and_ids: {
          ids: [
            {
              or_ids: {
                ids: [
                  { direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } },
                  { direct_remote_ip: { address_prefix: '192.168.1.1', prefix_len: { value: 32 } } },
                ],
              },
            },
            nsOf('default'),
          ],
        },
      },
    ]);
  });

  it('scope: mesh-wide policies from istio-system, own namespace only, selector by workload labels', () => {
    const yaml =
      ap('mesh', 'action: DENY\nrules: [{to: [{operation: {methods: [TRACE]}}]}]', 'istio-system') +
      ap('other-ns', 'action: DENY\nrules: [{}]', 'bar') +
      ap('ratings-only', 'selector: {matchLabels: {app: ratings}}\naction: DENY\nrules: [{}]') +
      ap('httpbin-only', 'selector: {matchLabels: {app: httpbin}}\nrules: [{}]');
    const names = (labels: Record<string, string>) => filtersFor(yaml, 'foo', labels).flatMap((f) => Object.keys(rulesOf(f)['policies'] as Obj));
    expect(names({ app: 'httpbin' })).toEqual(['ns[istio-system]-policy[mesh]-rule[0]', 'ns[foo]-policy[httpbin-only]-rule[0]']);
    expect(names({ app: 'ratings' })).toEqual(['ns[foo]-policy[ratings-only]-rule[0]', 'ns[istio-system]-policy[mesh]-rule[0]']);
  });
});

describe('the inbound listener with RBAC filters', () => {
  it('puts them before the router and survives the protobuf round trip (allow-nothing keeps its empty rules)', () => {
    const listener = withHttpFilters(generateInboundListener(15006, 9080), filtersFor(ap('nothing', '{}') + ap('deny', 'action: DENY\nrules: [{to: [{operation: {ports: ["9080"]}}]}]')));
    const back = decodeResource(encodeResource(TYPE_URL.listener, 'inbound', listener).any);
    const hcm = ((back['filter_chains'] as Obj[])[0]?.['filters'] as Obj[])[0]?.['typed_config'] as Obj;
    const filters = hcm['http_filters'] as Obj[];
    expect(filters.map((f) => f['name'])).toEqual(['envoy.filters.http.rbac.deny', 'envoy.filters.http.rbac', 'envoy.filters.http.router']);
    expect((filters[1]?.['typed_config'] as Obj)['rules']).toEqual({ action: 'ALLOW' });
  });
});
