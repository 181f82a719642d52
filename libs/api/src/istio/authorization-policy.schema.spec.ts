import type { AuthorizationPolicy } from './authorization-policy.schema';
import { parseRuleDocuments, validateRuleObjects } from './documents';
import { RuleValidationError, type RuleIssue } from './rule-errors';

function policy(yaml: string): AuthorizationPolicy {
  const [doc] = parseRuleDocuments(yaml, 'ap.yaml');
  if (doc?.kind !== 'AuthorizationPolicy') throw new Error('expected an AuthorizationPolicy');
  return doc.spec;
}

function issuesOf(spec: unknown): readonly RuleIssue[] {
  try {
    validateRuleObjects([{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ap', namespace: 'foo' }, spec }], 'rest');
  } catch (err) {
    if (err instanceof RuleValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a rejection');
}

// The AuthorizationPolicy reference page examples (istio/api authorization.proto), verbatim.
const HTTPBIN_ALLOW = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: foo
spec:
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/sleep"]
    - source:
        namespaces: ["dev"]
    to:
    - operation:
        methods: ["GET"]
  - to:
    - operation:
        methods: ["GET"]
        paths: ["/info*"]
    - operation:
        methods: ["POST"]
        paths: ["/data"]
    when:
    - key: request.headers[x-token]
      values: ["abc*"]
`;

const DENY_NOT_FOO = `apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: foo
spec:
  action: DENY
  rules:
  - from:
    - source:
        notNamespaces: ["foo"]
`;

const ALLOW_NOTHING = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: foo
spec:
  {}
`;

const SELECTOR_PORTS = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: bar
spec:
  selector:
    matchLabels:
      app: httpbin
      version: v1
  action: AUDIT
  rules:
  - to:
    - operation:
        ports: ["8080", 9090]
        notPaths: ["/healthz"]
    when:
    - key: source.ip
      notValues: ["10.1.2.0/24"]
`;

describe('AuthorizationPolicy', () => {
  it('reads an ALLOW policy: from/to/when, lists kept as written, unset lists empty', () => {
    const p = policy(HTTPBIN_ALLOW);
    expect(p.selector).toBeNull();
    expect(p.action).toBe('ALLOW');
    expect(p.rules).toHaveLength(2);
    expect(p.rules[0]?.from.map((s) => [s.principals, s.namespaces])).toEqual([
      [['cluster.local/ns/default/sa/sleep'], []],
      [[], ['dev']],
    ]);
    expect(p.rules[0]?.to[0]).toEqual({ hosts: [], notHosts: [], ports: [], notPorts: [], methods: ['GET'], notMethods: [], paths: [], notPaths: [] });
    expect(p.rules[1]?.from).toEqual([]);
    expect(p.rules[1]?.when).toEqual([{ key: 'request.headers[x-token]', values: ['abc*'], notValues: [] }]);
  });

  it('reads a DENY policy (v1beta1) and `spec: {}` as ALLOW with no rules (allow-nothing)', () => {
    expect(policy(DENY_NOT_FOO).action).toBe('DENY');
    expect(policy(DENY_NOT_FOO).rules[0]?.from[0]?.notNamespaces).toEqual(['foo']);
    expect(policy(ALLOW_NOTHING)).toEqual({ selector: null, action: 'ALLOW', rules: [] });
  });

  it('reads a selector, AUDIT, ports as strings or numbers, notValues', () => {
    const p = policy(SELECTOR_PORTS);
    expect(p.selector).toEqual({ matchLabels: { app: 'httpbin', version: 'v1' } });
    expect(p.action).toBe('AUDIT');
    expect(p.rules[0]?.to[0]?.ports).toEqual([8080, 9090]);
    expect(p.rules[0]?.when[0]).toEqual({ key: 'source.ip', values: [], notValues: ['10.1.2.0/24'] });
  });

  it('an empty rule matches everything', () => {
    const [doc] = validateRuleObjects([{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'all' }, spec: { rules: [{}] } }], 'rest');
    expect(doc?.spec).toEqual({ selector: null, action: 'ALLOW', rules: [{ from: [], to: [], when: [] }] });
  });

  it.each<[string, unknown, string, string]>([
    ['CUSTOM', { action: 'CUSTOM', provider: { name: 'opa' } }, 'spec.action', 'ext_authz'],
    ['an unknown action', { action: 'PERMIT' }, 'spec.action', 'unknown action "PERMIT"'],
    ['targetRef', { targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' } }, 'spec.targetRef', 'selector.matchLabels'],
    ['targetRefs', { targetRefs: [{ kind: 'Service', group: '', name: 'httpbin' }] }, 'spec.targetRefs', 'not supported'],
    ['requestPrincipals (JWT)', { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] }, 'spec.rules[0].from[0].source.requestPrincipals', 'RequestAuthentication'],
    ['request.auth.claims', { rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }] }, 'spec.rules[0].when[0].key', 'JWT'],
    ['an unknown when key', { rules: [{ when: [{ key: 'source.workload', values: ['x'] }] }] }, 'spec.rules[0].when[0].key', 'is not supported'],
    ['a condition without values', { rules: [{ when: [{ key: 'source.namespace' }] }] }, 'spec.rules[0].when[0]', 'at least one of values or notValues'],
    ['a bad IP in when', { rules: [{ when: [{ key: 'source.ip', values: ['10.0.0.0/33'] }] }] }, 'spec.rules[0].when[0].values[0]', 'IP address or a CIDR'],
    ['a bad port in when', { rules: [{ when: [{ key: 'destination.port', values: ['http'] }] }] }, 'spec.rules[0].when[0].values[0]', 'port number'],
    ['an empty source', { rules: [{ from: [{ source: {} }] }] }, 'spec.rules[0].from[0].source', 'at least one field'],
    ['an empty operation', { rules: [{ to: [{ operation: { methods: [] } }] }] }, 'spec.rules[0].to[0].operation', 'at least one field'],
    ['an empty from list', { rules: [{ from: [] }] }, 'spec.rules[0].from', 'must not be an empty list'],
    ['a bad ipBlock', { rules: [{ from: [{ source: { ipBlocks: ['10.0.0'] } }] }] }, 'spec.rules[0].from[0].source.ipBlocks[0]', 'IP address or a CIDR'],
    ['a port out of range', { rules: [{ to: [{ operation: { ports: ['70000'] } }] }] }, 'spec.rules[0].to[0].operation.ports[0]', 'range 1..65535'],
    ['a * in the middle', { rules: [{ to: [{ operation: { paths: ['/a*/b'] } }] }] }, 'spec.rules[0].to[0].operation.paths[0]', 'first or last character'],
    ['a path template', { rules: [{ to: [{ operation: { paths: ['/a/{*}/b'] } }] }] }, 'spec.rules[0].to[0].operation.paths[0]', 'path templates'],
    ['an unknown source field', { rules: [{ from: [{ source: { principal: ['x'] } }] }] }, 'spec.rules[0].from[0].source.principal', 'unknown field'],
  ])('rejects %s', (_name, spec, path, message) => {
    expect(issuesOf(spec)).toContainEqual({ document: 'rest#1 AuthorizationPolicy foo/ap', path, message: expect.stringContaining(message) });
  });
});
