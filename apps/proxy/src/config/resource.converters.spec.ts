import { envoyProtoRoot } from '@weft/xds';
import { ProxyConfigError } from './proxy-config.error';
import {
  claFromProto,
  clusterFromProto,
  clusterResourceFromProto,
  listenerFromProto,
  routeConfigFromProto,
  routeConfigResourceFromProto,
  virtualHostFromProto,
} from './resource.converters';

const CLA = {
  cluster_name: 'ratings',
  endpoints: [
    {
      locality: { zone: 'a' },
      load_balancing_weight: 3,
      lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } }, health_status: 'HEALTHY' }],
    },
  ],
};

/** A cluster in the form protobufjs's fromObject accepts (Durations and wrappers as messages). */
const CLUSTER_AS_MESSAGE = {
  name: 'ratings',
  connect_timeout: { seconds: 1, nanos: 500_000_000 },
  lb_policy: 'RING_HASH',
  ring_hash_lb_config: { minimum_ring_size: { value: 2048 } },
  outlier_detection: { consecutive_5xx: { value: 7 }, interval: { seconds: 3 } },
  typed_extension_protocol_options: {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      explicit_http_config: { http2_protocol_options: {} },
    },
  },
  load_assignment: { ...CLA, endpoints: [{ ...CLA.endpoints[0], load_balancing_weight: { value: 3 } }] },
};

describe('per-resource converters (reused by xDS)', () => {
  it('converts a ClusterLoadAssignment; locality weights apply only when asked', () => {
    const plain = claFromProto(CLA);
    expect(plain.clusterName).toBe('ratings');
    expect(plain.endpoints).toEqual([
      { address: '10.0.0.1', port: 80, weight: 1, health: 'HEALTHY', locality: { region: '', zone: 'a', subZone: '' }, localityWeight: 1, priority: 0 },
    ]);
    expect(claFromProto(CLA, '', { localityWeighted: true }).endpoints[0].localityWeight).toBe(3);
    expect(Object.isFrozen(plain.endpoints[0])).toBe(true);
  });

  it('converts a cluster decoded from protobuf bytes (toObject json form) like its YAML form', () => {
    const type = envoyProtoRoot().lookupType('envoy.config.cluster.v3.Cluster');
    const bytes = type.encode(type.fromObject(CLUSTER_AS_MESSAGE)).finish();
    const decoded = type.toObject(type.decode(bytes), { json: true, enums: String, longs: Number });
    const fromWire = clusterFromProto(decoded);
    const fromYaml = clusterFromProto({
      ...CLUSTER_AS_MESSAGE,
      connect_timeout: '1.5s',
      ring_hash_lb_config: { minimum_ring_size: 2048 },
      outlier_detection: { consecutive_5xx: 7, interval: '3s' },
      load_assignment: CLA,
    });
    expect(fromWire).toEqual(fromYaml);
    expect(fromWire).toMatchObject({ connectTimeoutMs: 1500, lbPolicy: 'RING_HASH', protocol: 'http2', ringHash: { minimumRingSize: 2048 } });
    expect(fromWire.outlierDetection).toMatchObject({ consecutive5xx: 7, intervalMs: 3000 });
  });

  it('prefixes reported paths with the given path', () => {
    expect(() => clusterFromProto({ name: 'x', connect_timeout: 'soon' }, 'resources[2]')).toThrow(
      new ProxyConfigError('', [{ path: 'resources[2].connect_timeout', message: 'expected duration (a string like "5s" or "0.25s", or { seconds, nanos })' }]),
    );
  });

  it('converts a route configuration without checking that its clusters exist (they may come later)', () => {
    const rc = routeConfigFromProto({
      name: 'r',
      virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'not-yet-known' } }] }],
    });
    expect(rc.virtualHosts[0].routes[0].action).toMatchObject({ kind: 'route', clusters: [{ name: 'not-yet-known', weight: 1 }] });
  });

  it('converts an RDS listener: the route configuration name, no inline routes', () => {
    const l = listenerFromProto({
      name: 'l',
      address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'hcm',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'in',
                rds: { route_config_name: 'inbound|8080', config_source: { ads: {} } },
                http_filters: [{ name: 'router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
              },
            },
          ],
        },
      ],
    });
    expect(l.http).toMatchObject({ routeConfig: null, rdsRouteConfigName: 'inbound|8080', httpFilters: [{ kind: 'router', name: 'router' }] });
    expect(l.port).toBe(0);
  });
});

describe('xDS resources: EDS clusters, RDS with VHDS, virtual hosts', () => {
  const eds = { name: 'outbound|9080|v1|reviews', type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } };

  it('converts an EDS cluster (no endpoints yet) and names its EDS resource', () => {
    expect(clusterResourceFromProto(eds)).toMatchObject({ cluster: { name: eds.name, endpoints: [] }, edsServiceName: eds.name });
    const named = { ...eds, eds_cluster_config: { ...eds.eds_cluster_config, service_name: 'reviews-eds' } };
    expect(clusterResourceFromProto(named).edsServiceName).toBe('reviews-eds');
    expect(clusterResourceFromProto({ name: 's', load_assignment: CLA }).edsServiceName).toBeNull();
  });

  it('rejects an EDS cluster whose endpoints would come from anything but ADS', () => {
    expect(() => clusterResourceFromProto({ ...eds, eds_cluster_config: {} })).toThrow(/eds_cluster_config\.eds_config: required for an EDS cluster: an ADS config source/);
    expect(() => clusterResourceFromProto({ ...eds, eds_cluster_config: { eds_config: { self: {} } } })).toThrow(/eds_cluster_config\.eds_config\.self: not supported by weft-proxy/);
  });

  it('converts a route configuration that takes its virtual hosts from VHDS', () => {
    const rc = routeConfigResourceFromProto({ name: 'outbound', vhds: { config_source: { ads: {}, resource_api_version: 'V3' } } });
    expect(rc).toMatchObject({ routeConfig: { name: 'outbound', virtualHosts: [] }, vhds: true });
    expect(routeConfigResourceFromProto({ name: 'x' }).vhds).toBe(false);
    expect(() => routeConfigResourceFromProto({ name: 'x', vhds: { config_source: { self: {} } } })).toThrow(/vhds\.config_source\.self: not supported by weft-proxy/);
  });

  it('converts a VHDS virtual host, lower-casing its domains and checking their form', () => {
    const vh = virtualHostFromProto({
      name: 'outbound/reviews:9080',
      domains: ['Reviews:9080', 'reviews.default.svc.cluster.local:9080'],
      routes: [{ match: { prefix: '/' }, route: { cluster: 'outbound|9080|v1|reviews' } }],
    });
    expect(vh).toMatchObject({ name: 'outbound/reviews:9080', domains: ['reviews:9080', 'reviews.default.svc.cluster.local:9080'] });
    expect(() => virtualHostFromProto({ name: 'v', domains: ['a*b'] }, 'vh')).toThrow(/vh\.domains\[0\]: invalid wildcard domain/);
    expect(() => virtualHostFromProto({ name: 'v', domains: ['a'], cors: {} })).toThrow(/cors: not supported by weft-proxy/);
  });
});
