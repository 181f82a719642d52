import { parse } from 'yaml';
import { httpStatusOf } from '@weft/shared';
import { formatRuleDocuments, parseRuleDocuments, validateRuleObjects } from './documents';
import { ruleKey } from './rule-document';
import { RuleValidationError, type RuleIssue } from './rule-errors';

function rejection(run: () => unknown): RuleValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof RuleValidationError) return err;
    throw err;
  }
  throw new Error('expected a RuleValidationError');
}

const GOOD_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
`;
const GOOD_DR = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
`;
const BAD_VS = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: canary
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 75
    - destination: {host: reviews, subset: v2}
      weight: -25
`;

describe('parseRuleDocuments', () => {
  it('returns every document of a multi-document text, in order, with its metadata and raw object', () => {
    const docs = parseRuleDocuments(`${GOOD_VS}---\n${GOOD_DR}`, 'canary.yaml');
    expect(docs.map(ruleKey)).toEqual(['VirtualService/shop/reviews', 'DestinationRule/shop/reviews']);
    expect(docs[1]).toMatchObject({ apiVersion: 'networking.istio.io/v1beta1', metadata: { name: 'reviews', namespace: 'shop', labels: {}, annotations: {} } });
    expect(docs[0]?.raw).toEqual(parse(GOOD_VS));
  });

  it('one bad document in a batch of three rejects the whole batch, naming file#index, kind and ns/name', () => {
    const err = rejection(() => parseRuleDocuments(`${GOOD_VS}---\n${BAD_VS}---\n${GOOD_DR}`, 'canary.yaml'));
    expect(err.issues).toEqual([{ document: 'canary.yaml#2 VirtualService shop/canary', path: 'spec.http[0].route[1].weight', message: 'weight must not be negative' }]);
    expect(err.code).toBe('WEFT_ERR_RULES_INVALID');
    expect(httpStatusOf(err.kind)).toBe(400);
    expect(err.message).toBe(
      'invalid rules in canary.yaml (1 problem; nothing was applied):\n  canary.yaml#2 VirtualService shop/canary: spec.http[0].route[1].weight: weight must not be negative',
    );
    expect(err.toJSON().issues).toEqual(err.issues);
  });

  it('lists the problems of every document, not just the first', () => {
    const err = rejection(() => parseRuleDocuments(`${BAD_VS}---\n${GOOD_VS.replace('hosts: [reviews]', 'hosts: []')}`, 'two.yaml'));
    expect(err.issues.map((i) => i.document)).toEqual(['two.yaml#1 VirtualService shop/canary', 'two.yaml#2 VirtualService shop/reviews']);
    expect(err.message).toContain('(2 problems; nothing was applied)');
  });

  it('skips empty documents but counts them, so #n is the position in the file', () => {
    const err = rejection(() => parseRuleDocuments(`${GOOD_DR}---\n# just a comment\n---\n${BAD_VS}`, 'f.yaml'));
    expect(err.issues[0]?.document).toBe('f.yaml#3 VirtualService shop/canary');
    expect(parseRuleDocuments('', 'empty.yaml')).toEqual([]);
  });

  it('accepts JSON text and a kind: List', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [parse(GOOD_VS), parse(GOOD_DR)] };
    expect(parseRuleDocuments(JSON.stringify(list), 'list.json').map(ruleKey)).toEqual(['VirtualService/shop/reviews', 'DestinationRule/shop/reviews']);
    const bad = { ...list, items: [parse(GOOD_VS), parse(BAD_VS)] };
    expect(rejection(() => parseRuleDocuments(JSON.stringify(bad), 'list.json')).issues[0]?.document).toBe('list.json#1.items[1] VirtualService shop/canary');
  });

  it('reports YAML syntax errors and duplicate keys by document', () => {
    const syntax = rejection(() => parseRuleDocuments(`${GOOD_VS}---\nkind: [unclosed\n`, 'broken.yaml'));
    expect(syntax.issues[0]).toMatchObject({ document: 'broken.yaml#2', path: '(root)', message: expect.stringContaining('YAML syntax error') });
    const dup = rejection(() => parseRuleDocuments('kind: VirtualService\nkind: DestinationRule\n', 'dup.yaml'));
    expect(dup.issues[0]?.message).toContain('YAML syntax error');
  });

  it('defaults the namespace, tolerates other metadata and status, prunes null fields', () => {
    const yaml = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  uid: 9f1c
  resourceVersion: "42"
  labels:
  annotations: {team: checkout}
spec:
  host: ratings
  exportTo:
status:
  observedGeneration: 3
`;
    const [doc] = parseRuleDocuments(yaml, 'dr.yaml');
    expect(doc?.metadata).toEqual({ name: 'ratings', namespace: 'default', labels: {}, annotations: { team: 'checkout' } });
    expect(doc?.kind === 'DestinationRule' && doc.spec.exportTo).toEqual(['*']);
    expect(doc).not.toHaveProperty('status');
  });

  it('rejects a second document with the same kind/namespace/name', () => {
    const err = rejection(() => parseRuleDocuments(`${GOOD_VS}---\n${GOOD_VS}`, 'twice.yaml'));
    expect(err.issues).toEqual([
      { document: 'twice.yaml#2 VirtualService shop/reviews', path: 'metadata.name', message: 'duplicate of twice.yaml#1: a batch may hold VirtualService/shop/reviews only once' },
    ]);
  });
});

describe('validateRuleObjects: envelope checks', () => {
  const spec = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] };
  it.each([
    ['an unsupported networking kind', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: {} }, 'rest#1 Gateway default/gw', 'kind', 'kind Gateway is not supported: supported kinds are VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, Sidecar, PeerAuthentication, AuthorizationPolicy'],
    ['RequestAuthentication', { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'jwt' }, spec: {} }, 'rest#1 RequestAuthentication default/jwt', 'kind', 'is not supported yet'],
    ['a core apiVersion', { apiVersion: 'v1', kind: 'VirtualService', metadata: { name: 'r' }, spec }, 'rest#1 VirtualService default/r', 'apiVersion', 'apiVersion v1 is not supported for VirtualService'],
    ['an unknown version', { apiVersion: 'networking.istio.io/v2', kind: 'VirtualService', metadata: { name: 'r' }, spec }, 'rest#1 VirtualService default/r', 'apiVersion', 'is not supported'],
    ['no apiVersion', { kind: 'VirtualService', metadata: { name: 'r' }, spec }, 'rest#1 VirtualService default/r', 'apiVersion', 'is required'],
    ['a name that is not DNS-1123', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'Reviews_V1' }, spec }, 'rest#1 VirtualService default/Reviews_V1', 'metadata.name', 'DNS-1123 subdomain'],
    ['a namespace that is not DNS-1123', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'Shop' }, spec }, 'rest#1 VirtualService Shop/r', 'metadata.namespace', 'DNS-1123 label'],
    ['no metadata', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec }, 'rest#1 VirtualService', 'metadata', 'is required'],
    ['no spec', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' } }, 'rest#1 VirtualService default/r', 'spec', 'is required'],
    ['an unknown top-level field', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' }, spec, extra: 1 }, 'rest#1 VirtualService default/r', 'extra', 'unknown field "extra"'],
    [
      'a bad label value',
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', labels: { 'app.kubernetes.io/name': 'a b' } }, spec },
      'rest#1 VirtualService default/r',
      'metadata.labels["app.kubernetes.io/name"]',
      'label value',
    ],
    ['a scalar document', 'not an object', 'rest#1', '(root)', 'must be a mapping'],
  ])('%s', (_name, object, document, path, message) => {
    const err = rejection(() => validateRuleObjects([object], 'rest'));
    expect(err.issues).toContainEqual({ document, path, message: expect.stringContaining(message) } satisfies RuleIssue);
  });

  it('keeps a copy of each raw object, not the caller\'s reference', () => {
    const object = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' }, spec };
    const [doc] = validateRuleObjects([object], 'rest');
    object.metadata.name = 'changed';
    expect(doc?.raw).toMatchObject({ metadata: { name: 'r' } });
  });
});

describe('formatRuleDocuments', () => {
  it('prints what the user applied, as YAML documents or a JSON List', () => {
    const docs = parseRuleDocuments(`${GOOD_VS}---\n${GOOD_DR}`, 'canary.yaml');
    const yaml = formatRuleDocuments(docs, 'yaml');
    expect(parseRuleDocuments(yaml, 'again.yaml').map((d) => d.raw)).toEqual(docs.map((d) => d.raw));
    expect(JSON.parse(formatRuleDocuments(docs, 'json'))).toEqual({ apiVersion: 'v1', kind: 'List', items: docs.map((d) => d.raw) });
    expect(JSON.parse(formatRuleDocuments(docs.slice(0, 1), 'json'))).toEqual(docs[0]?.raw);
  });
});
