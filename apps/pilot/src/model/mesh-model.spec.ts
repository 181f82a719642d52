import { TYPE_URL } from '@weft/xds';
import { bookinfo, bookinfoRules, REVIEWS_FQDN } from './bookinfo.spec-helper';
import { decoded, proxyNode, rules } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';

function model(): MeshModel {
  const m = new MeshModel();
  m.replaceServices(bookinfo());
  m.replaceRules(bookinfoRules());
  return m;
}

const weft = proxyNode('weft');
const grpc = proxyNode('grpc', { appPort: null });
const cluster = (subset: string, host = REVIEWS_FQDN, port = 9080) => `outbound|${port}|${subset}|${host}`;

type Cla = { endpoints: { locality: object; load_balancing_weight: { value: number }; lb_endpoints: { endpoint: { address: { socket_address: { address: string } } } }[] }[] };
const addressesOf = (cla: Record<string, unknown>) => (cla as Cla).endpoints.flatMap((g) => g.lb_endpoints.map((e) => e.endpoint.address.socket_address.address));

describe('MeshModel: bookinfo', () => {
  const m = model();

  it('reviews 90/10 → a virtual host with weighted clusters on the v1 and v2 subset clusters', () => {
    const vhost = decoded(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/reviews:9080'));
    expect(vhost).toMatchObject({
      name: `${REVIEWS_FQDN}:9080`,
      routes: [{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: cluster('v1'), weight: { value: 90 } }, { name: cluster('v2'), weight: { value: 10 } }] } } }],
    });
    expect(vhost.domains).toEqual([`${REVIEWS_FQDN}:9080`, 'reviews.default.svc:9080', 'reviews.default:9080', 'reviews:9080']);
  });

  it.each([
    ['a short name, in the node’s namespace', weft, 'outbound/reviews:9080', `${REVIEWS_FQDN}:9080`],
    ['name.namespace', weft, 'outbound/reviews.default:9080', `${REVIEWS_FQDN}:9080`],
    ['the fqdn, any case', weft, `outbound/${REVIEWS_FQDN.toUpperCase()}:9080`, `${REVIEWS_FQDN}:9080`],
    ['no port means 80', weft, 'outbound/details', 'details.default.svc.cluster.local:80'],
    ['from another namespace, qualified', proxyNode('weft', { namespace: 'prod' }), 'outbound/reviews.default:9080', `${REVIEWS_FQDN}:9080`],
  ])('VHDS resolves %s', (_name, node, name, vhostName) => {
    expect(decoded(m.provider.resource(TYPE_URL.virtualHost, node, name)).name).toBe(vhostName);
  });

  it.each([
    ['a short name from another namespace (reviews.prod does not exist)', proxyNode('weft', { namespace: 'prod' }), 'outbound/reviews:9080'],
    ['an unknown host', weft, 'outbound/nope:9080'],
    ['a port the service does not have', weft, 'outbound/reviews:8080'],
    ['no port (80) on a 9080-only service', weft, 'outbound/reviews'],
    ['any name for a gRPC client', grpc, 'outbound/reviews:9080'],
  ])('VHDS has no resource for %s', (_name, node, name) => {
    expect(m.provider.resource(TYPE_URL.virtualHost, node, name)).toBeNull();
  });

  it('domains: the requested authority and the canonical names; bare names only for port 80 and the same namespace', () => {
    const fromProd = decoded(m.provider.resource(TYPE_URL.virtualHost, proxyNode('weft', { namespace: 'prod' }), 'outbound/reviews.default:9080'));
    expect(fromProd.domains).toEqual([`${REVIEWS_FQDN}:9080`, 'reviews.default.svc:9080', 'reviews.default:9080']);
    const details = decoded(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/details'));
    expect(details.domains).toEqual(expect.arrayContaining(['details', 'details:80', 'details.default.svc.cluster.local', 'details.default.svc.cluster.local:80']));
  });

  it('a host without VirtualService gets the default route with the default retry policy', () => {
    const vhost = decoded(m.provider.resource(TYPE_URL.virtualHost, weft, 'outbound/ratings:9080'));
    expect(vhost.routes).toEqual([
      expect.objectContaining({
        match: { prefix: '/' },
        route: expect.objectContaining({
          cluster: cluster('', 'ratings.default.svc.cluster.local'),
          timeout: { seconds: 0, nanos: 0 },
          retry_policy: expect.objectContaining({ retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', retriable_status_codes: [503], num_retries: { value: 2 } }),
        }),
      }),
    ]);
  });

  it.each([
    ['', ['10.0.0.1', '10.0.0.3', '10.0.0.4']],
    ['v1', ['10.0.0.1']],
    ['v2', ['10.0.0.3']],
    ['v3', ['10.0.0.4']],
  ])('EDS subset %j selects by the version label, unhealthy instances excluded', (subset, expected) => {
    expect(addressesOf(decoded(m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, cluster(subset))))).toEqual(expected);
  });

  it.each([cluster('v9'), cluster('', REVIEWS_FQDN, 8080), cluster('', 'reviews.default'), 'outbound|9080||nope.default.svc.cluster.local', 'inbound|1234||', 'junk'])(
    'CDS and EDS have no resource named %s',
    (name) => {
      expect(m.provider.resource(TYPE_URL.cluster, weft, name)).toBeNull();
      expect(m.provider.resource(TYPE_URL.clusterLoadAssignment, weft, name)).toBeNull();
    },
  );

  it('sidecars: LEAST_REQUEST clusters, listeners outbound + inbound, RDS outbound over VHDS', () => {
    expect(decoded(m.provider.resource(TYPE_URL.cluster, weft, cluster('v1'))).lb_policy).toBe('LEAST_REQUEST');
    expect(m.provider.wildcardNames(TYPE_URL.listener, weft)).toEqual(['outbound', 'inbound']);
    expect(m.provider.wildcardNames(TYPE_URL.listener, proxyNode('envoy', { appPort: null }))).toEqual(['outbound']);
    expect(decoded(m.provider.resource(TYPE_URL.routeConfiguration, weft, 'outbound'))).toEqual({ name: 'outbound', vhds: { config_source: { ads: {}, resource_api_version: 'V3' } } });
    expect(decoded(m.provider.resource(TYPE_URL.listener, proxyNode('envoy', { outboundPort: 16001 }), 'outbound')).address).toEqual({ socket_address: { address: '127.0.0.1', port_value: 16001 } });
  });

  describe('gRPC clients', () => {
    it('ROUND_ROBIN clusters, IP-only endpoints in weighted localities', () => {
      expect(decoded(m.provider.resource(TYPE_URL.cluster, grpc, cluster('v1'))).lb_policy).toBe('ROUND_ROBIN');
      const cla = decoded(m.provider.resource(TYPE_URL.clusterLoadAssignment, grpc, cluster('', 'ratings.default.svc.cluster.local'))) as Cla;
      expect(cla.endpoints).toEqual([expect.objectContaining({ locality: { region: 'eu', zone: 'eu-1', sub_zone: 'a' }, load_balancing_weight: { value: 1 } })]);
      expect(addressesOf(cla)).toEqual(['10.0.1.1']);
    });

    it('LDS `<host>:<port>` → an API listener on RDS of the same name; RDS → one virtual host with the split', () => {
      expect(decoded(m.provider.resource(TYPE_URL.listener, grpc, 'reviews:9080'))).toMatchObject({
        name: 'reviews:9080',
        api_listener: { api_listener: { rds: { route_config_name: 'reviews:9080' } } },
      });
      const rds = decoded(m.provider.resource(TYPE_URL.routeConfiguration, grpc, `${REVIEWS_FQDN}:9080`));
      expect(rds).toMatchObject({
        name: `${REVIEWS_FQDN}:9080`,
        virtual_hosts: [{ routes: [{ route: { weighted_clusters: { clusters: [{ name: cluster('v1') }, { name: cluster('v2') }] } } }] }],
      });
      expect((rds.virtual_hosts as { domains: string[] }[])[0].domains).toContain(`${REVIEWS_FQDN}:9080`);
    });

    it('nothing for unknown names, nothing by wildcard', () => {
      expect(m.provider.resource(TYPE_URL.listener, grpc, 'nope:9080')).toBeNull();
      expect(m.provider.resource(TYPE_URL.listener, grpc, 'outbound')).toBeNull();
      expect(m.provider.resource(TYPE_URL.cluster, grpc, 'inbound|9080||')).toBeNull();
      expect(m.provider.wildcardNames(TYPE_URL.listener, grpc)).toEqual([]);
      expect(m.provider.wildcardNames(TYPE_URL.cluster, grpc)).toEqual([]);
    });
  });

  it('VirtualService matches on the client (sourceLabels): each client gets its own virtual host, shared by identical clients', () => {
    const sm = new MeshModel();
    sm.replaceServices(bookinfo());
    sm.replaceRules(
      rules(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{sourceLabels: {app: productpage}}]
    route: [{destination: {host: reviews}}]
    timeout: 1s
  - route: [{destination: {host: reviews}}]
`),
    );
    const routesFor = (labels: Record<string, string>) => (decoded(sm.provider.resource(TYPE_URL.virtualHost, proxyNode('weft', { labels }), 'outbound/reviews:9080')).routes as unknown[]).length;
    expect(routesFor({ app: 'productpage' })).toBe(2);
    expect(routesFor({ app: 'other' })).toBe(1);
    const a = sm.provider.resource(TYPE_URL.virtualHost, proxyNode('weft', { id: 'a' }), 'outbound/reviews:9080');
    expect(sm.provider.resource(TYPE_URL.virtualHost, proxyNode('weft', { id: 'b' }), 'outbound/reviews:9080')).toBe(a);
  });
});
