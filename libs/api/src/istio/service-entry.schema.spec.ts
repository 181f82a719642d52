import { parseRuleDocuments, validateRuleObjects } from './documents';
import { RuleValidationError, type RuleIssue } from './rule-errors';
import type { ServiceEntry } from './service-entry.schema';

function se(yaml: string): ServiceEntry {
  const [doc] = parseRuleDocuments(yaml, 'se.yaml');
  if (doc?.kind !== 'ServiceEntry') throw new Error('expected a ServiceEntry');
  return doc.spec;
}
function issuesOf(objects: unknown[]): RuleIssue[] {
  try {
    validateRuleObjects(objects, 'rest');
  } catch (err) {
    if (err instanceof RuleValidationError) return [...err.issues];
  }
  throw new Error('expected a RuleValidationError');
}

// The ServiceEntry reference page examples (istio/api service_entry.proto), verbatim.
const EXTERNAL_HTTPS = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-svc-https
spec:
  hosts:
  - api.dropboxapi.com
  - www.googleapis.com
  - api.facebook.com
  location: MESH_EXTERNAL
  ports:
  - number: 443
    name: https
    protocol: TLS
  resolution: DNS
`;

const MONGO_CLUSTER = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-svc-mongocluster
spec:
  hosts:
  - mymongodb.somedomain # not used
  addresses:
  - 192.192.192.192/24 # VIPs
  ports:
  - number: 27018
    name: mongodb
    protocol: MONGO
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
  - address: 2.2.2.2
  - address: 3.3.3.3
`;

const DNS_ENDPOINTS = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-svc-dns
spec:
  hosts:
  - foo.bar.com
  location: MESH_EXTERNAL
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: DNS
  endpoints:
  - address: us.foo.bar.com
    ports:
      http: 8080
  - address: uk.foo.bar.com
    ports:
      http: 9080
  - address: in.foo.bar.com
    ports:
      http: 7080
`;

const UNIX_SOCKET = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: unix-domain-socket-example
spec:
  hosts:
  - "example.unix.local"
  location: MESH_EXTERNAL
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: STATIC
  endpoints:
  - address: unix:///var/run/example/socket
`;

// samples/bookinfo/networking/egress-rule-google-apis.yaml (istio/istio), first document, verbatim.
const GOOGLEAPIS = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: googleapis
spec:
  hosts:
  - www.googleapis.com
  ports:
  - number: 80
    name: http
    protocol: HTTP
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
`;

describe('ServiceEntry: Istio documentation examples', () => {
  it('external HTTPS APIs over TLS, DNS resolution', () => {
    expect(se(EXTERNAL_HTTPS)).toEqual({
      hosts: ['api.dropboxapi.com', 'www.googleapis.com', 'api.facebook.com'],
      addresses: [],
      ports: [{ number: 443, protocol: 'TLS', name: 'https', targetPort: null }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      endpoints: [],
      workloadSelector: null,
      exportTo: ['*'],
      subjectAltNames: [],
    });
  });

  it('HTTP and HTTPS ports; location defaults to MESH_EXTERNAL', () => {
    const entry = se(GOOGLEAPIS);
    expect(entry.ports.map((p) => p.protocol)).toEqual(['HTTP', 'HTTPS']);
    expect(entry.location).toBe('MESH_EXTERNAL');
  });

  it('mongo cluster: CIDR VIPs, STATIC endpoints with weight 1', () => {
    const entry = se(MONGO_CLUSTER);
    expect(entry).toMatchObject({ addresses: ['192.192.192.192/24'], location: 'MESH_INTERNAL', resolution: 'STATIC' });
    expect(entry.endpoints).toEqual([
      { address: '2.2.2.2', ports: {}, labels: {}, network: null, locality: null, weight: 1, serviceAccount: null },
      { address: '3.3.3.3', ports: {}, labels: {}, network: null, locality: null, weight: 1, serviceAccount: null },
    ]);
  });

  it('DNS endpoints map the service port name to their own port', () => {
    expect(se(DNS_ENDPOINTS).endpoints.map((e) => [e.address, e.ports])).toEqual([
      ['us.foo.bar.com', { http: 8080 }],
      ['uk.foo.bar.com', { http: 9080 }],
      ['in.foo.bar.com', { http: 7080 }],
    ]);
  });

  it('a unix domain socket endpoint', () => {
    expect(se(UNIX_SOCKET).endpoints[0]?.address).toBe('unix:///var/run/example/socket');
  });
});

const base = { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' };
const entry = (spec: Record<string, unknown>) => ({ apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry', metadata: { name: 'api' }, spec: { ...base, ...spec } });

describe('ServiceEntry: rejected documents', () => {
  it.each([
    ['wildcard host with DNS and no endpoints', { hosts: ['*.example.com'] }, 'spec.hosts[0]', 'hosts must be FQDN'],
    ['endpoints with resolution NONE', { resolution: 'NONE', endpoints: [{ address: '1.2.3.4' }] }, 'spec.endpoints', 'no endpoints should be provided'],
    ['a DNS name with STATIC', { resolution: 'STATIC', endpoints: [{ address: 'db.example.com' }] }, 'spec.endpoints[0].address', 'not a valid IP address'],
    ['an endpoint port the entry does not declare', { endpoints: [{ address: '1.2.3.4', ports: { grpc: 9000 } }] }, 'spec.endpoints[0].ports.grpc', 'endpoint port grpc is not defined'],
    ['duplicate port numbers', { ports: [{ number: 443, name: 'a' }, { number: 443, name: 'b' }] }, 'spec.ports[1].number', 'already defined'],
    ['unknown protocol', { ports: [{ number: 443, name: 'a', protocol: 'QUIC' }] }, 'spec.ports[0].protocol', 'unsupported protocol "QUIC"'],
    ['DYNAMIC_DNS', { resolution: 'DYNAMIC_DNS' }, 'spec.resolution', 'DYNAMIC_DNS is not supported'],
    ['CIDR with DNS resolution', { addresses: ['10.0.0.0/16'] }, 'spec.addresses[0]', 'CIDR addresses are allowed only for NONE/STATIC'],
    ['several hosts on a TCP port', { hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] }, 'spec.ports[0].protocol', 'multiple hosts'],
    ['workloadSelector and endpoints', { resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } }, endpoints: [] }, 'spec.workloadSelector', 'only one of workloadSelector or endpoints'],
    ['an endpoint without address', { endpoints: [{ ports: { https: 8443 } }] }, 'spec.endpoints[0].address', 'is required'],
  ])('%s', (_name, spec, path, message) => {
    expect(issuesOf([entry(spec)])).toContainEqual({ document: 'rest#1 ServiceEntry default/api', path, message: expect.stringContaining(message) });
  });
});

describe('WorkloadEntry', () => {
  // The WorkloadEntry reference page example (istio/api workload_entry.proto), verbatim.
  const DETAILS_VM = `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: details-svc
spec:
  # use of the service account indicates that the workload has a
  # sidecar proxy bootstrapped with this service account. Pods with
  # sidecars will automatically communicate with the workload using
  # istio mutual TLS.
  serviceAccount: details-legacy
  address: 2.2.2.2
  labels:
    app: details-legacy
    instance-id: vm1
`;

  const DETAILS_SERVICE = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: details-svc
spec:
  hosts:
  - details.bookinfo.com
  location: MESH_INTERNAL
  ports:
  - number: 80
    name: http
    protocol: HTTP
    targetPort: 8080
  resolution: STATIC
  workloadSelector:
    labels:
      app: details-legacy
`;

  it('parses the reference example with its ServiceEntry, as one batch', () => {
    const [doc, service] = parseRuleDocuments(`${DETAILS_VM}---\n${DETAILS_SERVICE}`, 'we.yaml');
    expect(service?.kind === 'ServiceEntry' && service.spec).toMatchObject({
      ports: [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 }],
      workloadSelector: { app: 'details-legacy' },
      endpoints: [],
    });
    expect(doc?.kind).toBe('WorkloadEntry');
    expect(doc?.spec).toEqual({
      address: '2.2.2.2',
      ports: {},
      labels: { app: 'details-legacy', 'instance-id': 'vm1' },
      network: null,
      locality: null,
      weight: 1,
      serviceAccount: 'details-legacy',
    });
  });

  it.each([
    [{ address: 'not an address!' }, 'spec.address', 'must be an IP address, a DNS name or unix:///absolute/path'],
    [{ address: 'unix:///run/app.sock', ports: { http: 80 } }, 'spec.ports', 'must not include ports'],
    [{ address: '10.0.0.1', ports: { HTTP: 80 } }, 'spec.ports.HTTP', 'DNS-1123 label'],
    [{ address: '10.0.0.1', weight: -1 }, 'spec.weight', '>=0'],
  ])('rejects %j', (spec, path, message) => {
    const found = issuesOf([{ apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'vm', namespace: 'legacy' }, spec }]);
    expect(found).toContainEqual({ document: 'rest#1 WorkloadEntry legacy/vm', path, message: expect.stringContaining(message) });
  });
});
