import { adsDefinition } from './ads-service';
import { contentVersion, decodeResource, encodeResource } from './resource-codec';
import { TYPE_URL } from './type-urls';

describe('resource codec', () => {
  const cluster = {
    name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: { seconds: 10, nanos: 0 },
    lb_policy: 'LEAST_REQUEST',
  };

  it('round-trips a Cluster through bytes into the converters object form', () => {
    const enc = encodeResource(TYPE_URL.cluster, cluster.name, cluster);
    expect(enc.any.type_url).toBe(TYPE_URL.cluster);
    const back = decodeResource(enc.any);
    expect(back).toMatchObject({ name: cluster.name, type: 'EDS', lb_policy: 'LEAST_REQUEST', connect_timeout: { seconds: 10 } });
  });

  it('encodes nested Any given as { "@type" } and decodes it back with "@type"', () => {
    const listener = {
      name: 'outbound',
      address: { socket_address: { address: '127.0.0.1', port_value: 15001 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'outbound',
                rds: { route_config_name: 'outbound', config_source: { ads: {}, resource_api_version: 'V3' } },
              },
            },
          ],
        },
      ],
    };
    const back = decodeResource(encodeResource(TYPE_URL.listener, 'outbound', listener).any);
    const hcm = (back['filter_chains'] as { filters: { typed_config: Record<string, unknown> }[] }[])[0]?.filters[0]?.typed_config;
    expect(hcm).toMatchObject({ '@type': listener.filter_chains[0]?.filters[0]?.typed_config['@type'], stat_prefix: 'outbound' });
  });

  it('gives equal content the same version and different content another', () => {
    const a = encodeResource(TYPE_URL.cluster, cluster.name, cluster);
    const b = encodeResource(TYPE_URL.cluster, cluster.name, { ...cluster });
    const c = encodeResource(TYPE_URL.cluster, cluster.name, { ...cluster, lb_policy: 'ROUND_ROBIN' });
    expect(a.version).toBe(b.version);
    expect(c.version).not.toBe(a.version);
    expect(contentVersion(a.any.value)).toBe(a.version);
  });

  it('refuses a field the message does not have (a generator bug, never dropped silently)', () => {
    expect(() => encodeResource(TYPE_URL.cluster, 'x', { name: 'x', lb_policy: 'NOPE' })).toThrow(/lb_policy/);
  });

  it('loads the ADS service with both streams', () => {
    const { service } = adsDefinition();
    expect(Object.keys(service)).toEqual(expect.arrayContaining(['StreamAggregatedResources', 'DeltaAggregatedResources']));
  });
});
