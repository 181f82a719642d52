import { parseRuleDocuments, validateRuleObjects } from './documents';
import { RuleValidationError, type RuleIssue } from './rule-errors';
import type { Sidecar } from './sidecar.schema';

function sidecar(yaml: string): Sidecar {
  const [doc] = parseRuleDocuments(yaml, 'sidecar.yaml');
  if (doc?.kind !== 'Sidecar') throw new Error('expected a Sidecar');
  return doc.spec;
}

// The Sidecar reference page examples (istio/api sidecar.proto), verbatim.
const DEFAULT_SIDECAR = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: istio-config
spec:
  egress:
  - hosts:
    - "./*"
    - "istio-system/*"
`;

const RATINGS_UDS = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: ratings
  namespace: prod-us1
spec:
  workloadSelector:
    labels:
      app: ratings
  ingress:
  - port:
      number: 9080
      protocol: HTTP
      name: somename
    defaultEndpoint: unix:///var/run/someuds.sock
  egress:
  - port:
      number: 9080
      protocol: HTTP
      name: egresshttp
    hosts:
    - "prod-us1/*"
  - hosts:
    - "istio-system/*"
`;

const NO_IP_TABLES = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: no-ip-tables
  namespace: prod-us1
spec:
  workloadSelector:
    labels:
      app: productpage
  ingress:
  - port:
      number: 9080 # binds to proxy_instance_ip:9080 (0.0.0.0:9080, if no unicast IP is available for the instance)
      protocol: HTTP
      name: somename
    defaultEndpoint: 127.0.0.1:8080
    captureMode: NONE # not needed if metadata is set for entire proxy
  egress:
  - port:
      number: 3306
      protocol: MYSQL
      name: egressmysql
    captureMode: NONE # not needed if metadata is set for entire proxy
    bind: 127.0.0.1
    hosts:
    - "*/mysql.foo.com"
`;

const EXCLUSIONS = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: prod-us1
spec:
  egress:
  - hosts:
    - "*/*"
    - "~prod-us2/*"
    - "~prod-apis/foo.example.com"
    - "~/bar.example.com"
`;

describe('Sidecar: Istio documentation examples', () => {
  it('mesh-wide default: own namespace and istio-system', () => {
    expect(sidecar(DEFAULT_SIDECAR)).toEqual({
      workloadSelector: null,
      ingress: [],
      egress: [
        {
          port: null,
          bind: null,
          captureMode: 'DEFAULT',
          hosts: [
            { exclude: false, namespace: '.', dnsName: '*' },
            { exclude: false, namespace: 'istio-system', dnsName: '*' },
          ],
        },
      ],
      outboundTrafficPolicy: null,
    });
  });

  it('ingress to a unix socket, egress per port plus a catch-all', () => {
    const spec = sidecar(RATINGS_UDS);
    expect(spec.workloadSelector).toEqual({ app: 'ratings' });
    expect(spec.ingress).toEqual([
      { port: { number: 9080, protocol: 'HTTP', name: 'somename' }, bind: null, captureMode: 'DEFAULT', defaultEndpoint: 'unix:///var/run/someuds.sock' },
    ]);
    expect(spec.egress.map((e) => [e.port?.number ?? null, e.hosts.map((h) => `${h.namespace}/${h.dnsName}`)])).toEqual([
      [9080, ['prod-us1/*']],
      [null, ['istio-system/*']],
    ]);
  });

  it('without iptables: capture mode NONE, bind address, MYSQL egress', () => {
    const spec = sidecar(NO_IP_TABLES);
    expect(spec.ingress[0]).toMatchObject({ captureMode: 'NONE', defaultEndpoint: '127.0.0.1:8080' });
    expect(spec.egress[0]).toEqual({
      port: { number: 3306, protocol: 'MYSQL', name: 'egressmysql' },
      bind: '127.0.0.1',
      captureMode: 'NONE',
      hosts: [{ exclude: false, namespace: '*', dnsName: 'mysql.foo.com' }],
    });
  });

  it('exclusions: "~ns/host", and a bare "~" stands for any namespace', () => {
    expect(sidecar(EXCLUSIONS).egress[0]?.hosts).toEqual([
      { exclude: false, namespace: '*', dnsName: '*' },
      { exclude: true, namespace: 'prod-us2', dnsName: '*' },
      { exclude: true, namespace: 'prod-apis', dnsName: 'foo.example.com' },
      { exclude: true, namespace: '*', dnsName: 'bar.example.com' },
    ]);
  });

  it('outboundTrafficPolicy: an empty block means REGISTRY_ONLY (the enum zero value)', () => {
    const [doc] = validateRuleObjects([{ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default' }, spec: { outboundTrafficPolicy: {} } }], 'rest');
    expect(doc?.kind === 'Sidecar' && doc.spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
  });
});

describe('Sidecar: rejected documents', () => {
  function issues(spec: Record<string, unknown>): RuleIssue[] {
    try {
      validateRuleObjects([{ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'shop' }, spec }], 'rest');
    } catch (err) {
      if (err instanceof RuleValidationError) return [...err.issues];
    }
    throw new Error('expected a RuleValidationError');
  }

  it.each([
    ['a host without namespace', { egress: [{ hosts: ['reviews'] }] }, 'spec.egress[0].hosts[0]', 'host must be of form namespace/dnsName'],
    ['an empty dnsName', { egress: [{ hosts: ['shop/'] }] }, 'spec.egress[0].hosts[0]', 'namespace/dnsName'],
    ['a bad namespace', { egress: [{ hosts: ['Shop_1/*'] }] }, 'spec.egress[0].hosts[0]', 'namespace/dnsName'],
    ['no hosts', { egress: [{ hosts: [] }] }, 'spec.egress[0].hosts', 'at least one host'],
    ['catch-all listener not last', { egress: [{ hosts: ['./*'] }, { port: { number: 80 }, hosts: ['./*'] }] }, 'spec.egress[0].port', 'should be the last listener'],
    ['duplicate egress ports', { egress: [{ port: { number: 80 }, hosts: ['./*'] }, { port: { number: 80 }, hosts: ['*/*'] }] }, 'spec.egress[1].port.number', 'must be unique'],
    ['bad defaultEndpoint', { ingress: [{ port: { number: 80 }, defaultEndpoint: '10.0.0.1:8080' }] }, 'spec.ingress[0].defaultEndpoint', 'defaultEndpoint must be of form'],
    ['ingress tls', { ingress: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] }, 'spec.ingress[0].tls', 'not supported yet'],
    ['egressProxy', { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy' } } }, 'spec.outboundTrafficPolicy.egressProxy', 'not supported yet'],
    ['nothing configured', {}, 'spec', 'empty configuration'],
  ])('%s', (_name, spec, path, message) => {
    expect(issues(spec)).toContainEqual({ document: 'rest#1 Sidecar shop/default', path, message: expect.stringContaining(message) });
  });
});
