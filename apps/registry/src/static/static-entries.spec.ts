import { parseStaticEntries } from './static-entries';

const FILE = `
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - number: 9080
    name: http
    protocol: HTTP
  endpoints:
  - address: 10.0.0.1
    labels: {app: reviews, version: v1}
  workloadSelector:
    labels:
      app: reviews
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: reviews-v2
  namespace: bookinfo
spec:
  address: 10.0.0.2
  labels: {app: reviews, version: v2}
  ports: {http: 19080}
  weight: 3
  locality: eu/eu-west-1/a
  serviceAccount: reviews
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: ratings-1
  namespace: bookinfo
spec:
  address: 10.0.0.3
  labels: {app: ratings}
`;

describe('static ServiceEntry / WorkloadEntry file', () => {
  it('turns a ServiceEntry into a service with its endpoints and selected WorkloadEntries', () => {
    const { services, instances } = parseStaticEntries(FILE, 'static.yaml');
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({
      namespace: 'bookinfo',
      name: 'reviews',
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      ports: [{ name: 'http', number: 9080, protocol: 'http' }],
    });
    const list = instances.get('bookinfo/reviews') ?? [];
    expect(list.map((i) => [i.id, i.address, i.labels['version'], i.weight, i.ttlSeconds])).toEqual([
      ['reviews-0', '10.0.0.1', 'v1', 1, null],
      ['reviews-v2', '10.0.0.2', 'v2', 3, null],
    ]);
    expect(list[1]).toMatchObject({ ports: { http: 19080 }, locality: 'eu/eu-west-1/a', metadata: { serviceAccount: 'reviews' } });
  });

  it.each([
    ['kind: Deployment\nmetadata: {name: x}', /document 1 \(Deployment x\): kind: must be ServiceEntry or WorkloadEntry/],
    [
      'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec: {hosts: [x.example.com], ports: [{number: 99999, name: http, protocol: HTTP}]}',
      /ServiceEntry default\/x\): spec\.ports\.0\.number/,
    ],
    [
      'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec: {hosts: [x.example.com], ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: "bad address!"}]}',
      /spec\.endpoints\.0\.address/,
    ],
    ['apiVersion: v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec: {}', /apiVersion: must be networking\.istio\.io/],
    ['a: [unclosed', /\(yaml\)/],
  ])('refuses a bad document and names it and the field (%#)', (text, message) => {
    expect(() => parseStaticEntries(text, 'static.yaml')).toThrow(message);
  });
});
