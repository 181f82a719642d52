import { parseRuleDocuments, validateRuleObjects } from './documents';
import type { PeerAuthentication } from './peer-authentication.schema';
import { RuleValidationError, type RuleIssue } from './rule-errors';

function peerAuthentication(yaml: string): PeerAuthentication {
  const [doc] = parseRuleDocuments(yaml, 'pa.yaml');
  if (doc?.kind !== 'PeerAuthentication') throw new Error('expected a PeerAuthentication');
  return doc.spec;
}

function issuesOf(spec: unknown, apiVersion = 'security.istio.io/v1'): readonly RuleIssue[] {
  try {
    validateRuleObjects([{ apiVersion, kind: 'PeerAuthentication', metadata: { name: 'pa', namespace: 'foo' }, spec }], 'rest');
  } catch (err) {
    if (err instanceof RuleValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a rejection');
}

// The PeerAuthentication reference page examples (istio/api peer_authentication.proto), verbatim.
const NAMESPACE_STRICT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
    mode: STRICT
`;

const WORKLOAD_PORT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  selector:
    matchLabels:
      app: finance
  mtls:
    mode: STRICT
  portLevelMtls:
    8080:
      mode: DISABLE
`;

describe('PeerAuthentication', () => {
  it('reads a namespace-wide STRICT policy', () => {
    expect(peerAuthentication(NAMESPACE_STRICT)).toEqual({ selector: null, mtls: { mode: 'STRICT' }, portLevelMtls: {} });
  });

  it('reads a workload policy with a port-level exception (numeric port keys)', () => {
    expect(peerAuthentication(WORKLOAD_PORT)).toEqual({
      selector: { matchLabels: { app: 'finance' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 8080: { mode: 'DISABLE' } },
    });
  });

  it('accepts v1beta1 and treats `spec: {}` and `mtls: {}` as unset', () => {
    const [empty, unset] = validateRuleObjects(
      [
        { apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: { name: 'a' }, spec: {} },
        { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'b' }, spec: { mtls: {}, selector: { matchLabels: {} } } },
      ],
      'rest',
    );
    expect(empty?.spec).toEqual({ selector: null, mtls: null, portLevelMtls: {} });
    expect(unset?.spec).toEqual({ selector: null, mtls: { mode: 'UNSET' }, portLevelMtls: {} });
  });

  it.each([
    ['an unknown mode', { mtls: { mode: 'ON' } }, 'spec.mtls.mode', 'unknown mTLS mode "ON"'],
    ['portLevelMtls without a selector', { portLevelMtls: { '8080': { mode: 'DISABLE' } } }, 'spec.portLevelMtls', 'requires a workload selector'],
    ['a port out of range', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { '70000': { mode: 'DISABLE' } } }, 'spec.portLevelMtls["70000"]', 'range 1..65535'],
    ['a port that is not a number', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { http: { mode: 'DISABLE' } } }, 'spec.portLevelMtls.http', 'range 1..65535'],
    ['an unknown field', { mtls: { mode: 'STRICT', strict: true } }, 'spec.mtls.strict', 'unknown field'],
  ])('rejects %s', (_name, spec, path, message) => {
    expect(issuesOf(spec)).toContainEqual({ document: 'rest#1 PeerAuthentication foo/pa', path, message: expect.stringContaining(message) });
  });

  it('rejects a networking apiVersion for a security kind', () => {
    expect(issuesOf({}, 'networking.istio.io/v1')).toContainEqual({
      document: 'rest#1 PeerAuthentication foo/pa',
      path: 'apiVersion',
      message: expect.stringContaining('use security.istio.io/v1'),
    });
  });
});
