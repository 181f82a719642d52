import { TYPE_URL } from '@weft/xds';
import { bookinfo, bookinfoRules } from './bookinfo.spec-helper';
import { decoded, proxyNode, rules } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';
import type { MeshChange } from './xds-contract';

const productpage = proxyNode('weft');
const reviews = proxyNode('weft', { id: 'weft~10.0.0.8~reviews.default', service: 'reviews', labels: { app: 'reviews', version: 'v1' } });

const DENY_ADMIN = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  action: DENY
  rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
`;

function filterNames(m: MeshModel, node = reviews): string[] {
  const l = decoded(m.provider.resource(TYPE_URL.listener, node, 'inbound'));
  const hcm = ((l['filter_chains'] as Record<string, unknown>[])[0]?.['filters'] as Record<string, unknown>[])[0]?.['typed_config'] as Record<string, unknown>;
  return (hcm['http_filters'] as { name: string }[]).map((f) => f.name);
}

describe('AuthorizationPolicy in the mesh model', () => {
  it('a change emits LDS inbound; only the workloads it selects get a new inbound listener', () => {
    const m = new MeshModel();
    m.replaceServices(bookinfo());
    m.replaceRules(bookinfoRules());
    const changes: MeshChange[] = [];
    m.onChange((c) => changes.push(c));
    const before = { reviews: m.provider.resource(TYPE_URL.listener, reviews, 'inbound'), productpage: m.provider.resource(TYPE_URL.listener, productpage, 'inbound') };
    m.replaceRules([...bookinfoRules(), ...rules(DENY_ADMIN)]);
    expect(changes).toHaveLength(1);
    expect([...(changes[0]?.resources.get(TYPE_URL.listener) ?? [])]).toEqual(['inbound']);
    expect(changes[0]?.resources.size).toBe(1);
    expect(m.provider.resource(TYPE_URL.listener, productpage, 'inbound')?.version).toBe(before.productpage?.version);
    expect(m.provider.resource(TYPE_URL.listener, reviews, 'inbound')?.version).not.toBe(before.reviews?.version);
    expect(filterNames(m)).toEqual(['envoy.filters.http.rbac.deny', 'envoy.filters.http.router']);
    m.replaceRules(bookinfoRules());
    expect(filterNames(m)).toEqual(['envoy.filters.http.router']);
    expect(m.provider.resource(TYPE_URL.listener, reviews, 'inbound')?.version).toBe(before.reviews?.version);
  });
});
