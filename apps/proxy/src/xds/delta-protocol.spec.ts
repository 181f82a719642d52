import { TYPE_URL } from '@weft/xds';
import { DeltaProtocol } from './delta-protocol';
import type { Interest } from './subscription-planner';

const interest = (wildcard: boolean, ...names: string[]): Interest => ({ wildcard, names: new Set(names) });
const none = interest(false);

describe('DeltaProtocol', () => {
  const p = new DeltaProtocol();

  it.each([
    ['subscribe new names', interest(false, 'a'), interest(false, 'a', 'b'), { resource_names_subscribe: ['b'], resource_names_unsubscribe: [] }],
    ['unsubscribe dropped names', interest(false, 'a', 'b'), interest(false, 'b'), { resource_names_subscribe: [], resource_names_unsubscribe: ['a'] }],
    ['turn the wildcard on', interest(false, 'x'), interest(true, 'x'), { resource_names_subscribe: ['*'], resource_names_unsubscribe: [] }],
    ['turn the wildcard off', interest(true), none, { resource_names_subscribe: [], resource_names_unsubscribe: ['*'] }],
  ])('%s', (_what, before, after, expected) => {
    expect(p.change('cluster', before, after)).toEqual({ type_url: TYPE_URL.cluster, ...expected });
  });

  it('sends nothing when the interest did not change', () => {
    expect(p.change('cluster', interest(false, 'a'), interest(false, 'a'))).toBeNull();
  });

  it('opens a stream with every type of interest, clusters first, with what is held', () => {
    const interests = { listener: interest(true), routeConfiguration: interest(false, 'r'), virtualHost: none, cluster: interest(false, 'c'), clusterLoadAssignment: none };
    const held = (kind: string): Record<string, string> => (kind === 'cluster' ? { c: 'v1' } : {});
    expect(p.open(interests, held)).toEqual([
      { type_url: TYPE_URL.cluster, resource_names_subscribe: ['c'], initial_resource_versions: { c: 'v1' } },
      { type_url: TYPE_URL.listener, resource_names_subscribe: ['*'], initial_resource_versions: {} },
      { type_url: TYPE_URL.routeConfiguration, resource_names_subscribe: ['r'], initial_resource_versions: {} },
    ]);
  });

  it('NACKs with INVALID_ARGUMENT and the response nonce', () => {
    const update = { typeUrl: TYPE_URL.cluster, nonce: '7', versionInfo: '', resources: [], removed: [], undecodable: [] };
    expect(p.nack(update, 'Cluster "c": lb_policy: bad')).toEqual({ type_url: TYPE_URL.cluster, response_nonce: '7', error_detail: { code: 3, message: 'Cluster "c": lb_policy: bad' } });
  });
});
