import { ProxyConfigError } from '../proxy-config.error';
import { clusterFromProto, clusterResourceFromProto } from '../resource.converters';

/* eslint-disable @typescript-eslint/no-explicit-any -- the specs edit plain cluster objects */

const endpoint = (address: string, port = 9080, extra: object = {}): object => ({ endpoint: { address: { socket_address: { address, port_value: port } } }, ...extra });

function dnsCluster(type: string, extra: Record<string, unknown> = {}, lbEndpoints: object[] = [endpoint('ratings.default.svc')]): Record<string, unknown> {
  return { name: 'ratings', type, connect_timeout: '1s', load_assignment: { cluster_name: 'ratings', endpoints: [{ lb_endpoints: lbEndpoints }] }, ...extra };
}

function issues(obj: unknown): readonly { path: string; message: string }[] {
  try {
    clusterFromProto(obj, 'c');
  } catch (err) {
    if (err instanceof ProxyConfigError) return err.issues;
    throw err;
  }
  throw new Error('the cluster was accepted');
}

describe('STRICT_DNS / LOGICAL_DNS clusters', () => {
  it('keep hostnames as endpoints, with Envoy defaults for the DNS settings', () => {
    const m = clusterFromProto(dnsCluster('STRICT_DNS', {}, [endpoint('ratings.default.svc', 9080, { load_balancing_weight: 3, health_status: 'HEALTHY' }), endpoint('10.0.0.9')]));
    expect(m.dns).toEqual({ type: 'STRICT_DNS', lookupFamily: 'AUTO', refreshRateMs: 5000, failureRefresh: null, waitForWarmOnInit: true });
    expect(m.endpoints.map((e) => [e.address, e.port, e.weight, e.health])).toEqual([
      ['ratings.default.svc', 9080, 3, 'HEALTHY'],
      ['10.0.0.9', 9080, 1, 'UNKNOWN'],
    ]);
  });

  it('read dns_lookup_family, the refresh rates and wait_for_warm_on_init', () => {
    const m = clusterFromProto(
      dnsCluster('LOGICAL_DNS', {
        dns_lookup_family: 'V4_ONLY',
        dns_refresh_rate: '30s',
        dns_failure_refresh_rate: { base_interval: '2s' },
        respect_dns_ttl: false,
        wait_for_warm_on_init: false,
      }),
    );
    expect(m.dns).toEqual({ type: 'LOGICAL_DNS', lookupFamily: 'V4_ONLY', refreshRateMs: 30_000, failureRefresh: { baseMs: 2000, maxMs: 20_000 }, waitForWarmOnInit: false });
    const withMax = clusterFromProto(dnsCluster('STRICT_DNS', { dns_failure_refresh_rate: { base_interval: '1s', max_interval: '4s' } }));
    expect(withMax.dns?.failureRefresh).toEqual({ baseMs: 1000, maxMs: 4000 });
  });

  it('arrive over CDS as they are: resolved by the proxy, no EDS name to subscribe to', () => {
    const r = clusterResourceFromProto(dnsCluster('STRICT_DNS'));
    expect(r.edsServiceName).toBeNull();
    expect(r.cluster.dns?.type).toBe('STRICT_DNS');
  });

  it('leave STATIC and EDS clusters without DNS settings', () => {
    expect(clusterFromProto({ name: 's', load_assignment: { cluster_name: 's', endpoints: [{ lb_endpoints: [endpoint('10.0.0.1')] }] } }).dns).toBeNull();
  });

  type Case = [what: string, obj: unknown, path: string, reason: RegExp];
  const cases: Case[] = [
    ['respect_dns_ttl', dnsCluster('STRICT_DNS', { respect_dns_ttl: true }), 'c.respect_dns_ttl', /^true is not supported by weft-proxy \(the system resolver reports no TTL\)/],
    ['custom resolvers', dnsCluster('STRICT_DNS', { dns_resolvers: [{ socket_address: { address: '10.0.0.53', port_value: 53 } }] }), 'c.dns_resolvers', /^not supported by weft-proxy \(DNS clusters use the system resolver/],
    [
      'a typed resolver config',
      dnsCluster('STRICT_DNS', { typed_dns_resolver_config: { name: 'envoy.network.dns_resolver.cares', typed_config: { '@type': 'type.googleapis.com/google.protobuf.Struct' } } }),
      'c.typed_dns_resolver_config',
      /^not supported by weft-proxy \(DNS clusters use the system resolver/,
    ],
    ['TCP lookups', dnsCluster('STRICT_DNS', { use_tcp_for_dns_lookups: true }), 'c.use_tcp_for_dns_lookups', /^not supported by weft-proxy/],
    ['max_interval below base_interval', dnsCluster('STRICT_DNS', { dns_failure_refresh_rate: { base_interval: '5s', max_interval: '1s' } }), 'c.dns_failure_refresh_rate.max_interval', /^must be greater than or equal to base_interval/],
    ['a zero refresh rate', dnsCluster('STRICT_DNS', { dns_refresh_rate: '0s' }), 'c.dns_refresh_rate', /greater than/],
    ['a LOGICAL_DNS cluster with two endpoints', dnsCluster('LOGICAL_DNS', {}, [endpoint('a.example'), endpoint('b.example')]), 'c.load_assignment.endpoints', /^a LOGICAL_DNS cluster needs exactly one locality with exactly one lb_endpoint \(got 1 localities, 2 endpoints\)/],
    ['a LOGICAL_DNS cluster without endpoints', { ...dnsCluster('LOGICAL_DNS'), load_assignment: undefined }, 'c.load_assignment.endpoints', /^a LOGICAL_DNS cluster needs exactly one/],
    ['a malformed hostname', dnsCluster('STRICT_DNS', {}, [endpoint('bad host!')]), 'c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address', /^"bad host!" is neither a DNS name nor an IP address/],
    ['port 0', dnsCluster('STRICT_DNS', {}, [endpoint('ratings', 0)]), 'c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value', /^must be between 1 and 65535/],
    ['a hostname in a STATIC cluster', dnsCluster('STATIC'), 'c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address', /not an IP address/],
    ['DNS settings on a STATIC cluster', dnsCluster('STATIC', { dns_lookup_family: 'V4_ONLY' }, [endpoint('10.0.0.1')]), 'c.dns_lookup_family', /^only for clusters of type STRICT_DNS or LOGICAL_DNS/],
    ['ORIGINAL_DST', dnsCluster('ORIGINAL_DST', {}, [endpoint('10.0.0.1')]), 'c.type', /^cluster type ORIGINAL_DST is not supported by weft-proxy/],
  ];

  it.each(cases)('reject %s, naming the field', (_what, obj, path, reason) => {
    const found = issues(obj as any);
    const issue = found.find((i) => i.path === path);
    expect({ found, path: issue?.path }).toMatchObject({ path });
    expect(issue?.message).toMatch(reason);
  });
});
