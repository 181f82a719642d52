import { ResourceStore } from './resource-store';
import { NO_STATICS, planInterests, type Interests } from './subscription-planner';
import { cla, edsCluster, put, rdsListener, vhdsRoute, vhost } from './xds-fixtures.spec-helper';

const plan = (store: ResourceStore, onDemand: string[] = [], delta = true): Interests =>
  planInterests({ store, statics: NO_STATICS, applied: { snapshot: null, edsNames: new Set() }, onDemand: new Set(onDemand), delta });

const names = (i: Interests): Record<string, string[]> =>
  Object.fromEntries(Object.entries(i).map(([k, v]) => [k, [...(v.wildcard ? ['*'] : []), ...[...v.names].sort()]]));

describe('planInterests: subscriptions follow references', () => {
  it('starts with the listener wildcard only', () => {
    expect(names(plan(new ResourceStore()))).toEqual({ listener: ['*'], routeConfiguration: [], virtualHost: [], cluster: [], clusterLoadAssignment: [] });
  });

  it('follows listener → route configuration → virtual hosts → clusters → endpoints', () => {
    const store = new ResourceStore();
    put(store, 'listener', 'outbound', rdsListener('outbound', 'outbound'));
    expect(names(plan(store)).routeConfiguration).toEqual(['outbound']);
    put(store, 'routeConfiguration', 'outbound', vhdsRoute('outbound'));
    expect(names(plan(store, ['outbound/ratings:9080'])).virtualHost).toEqual(['*', 'outbound/ratings:9080']);
    put(store, 'virtualHost', 'outbound/reviews:9080', vhost('outbound/reviews:9080', ['reviews:9080'], 'c-reviews'));
    expect(names(plan(store)).cluster).toEqual(['c-reviews']);
    put(store, 'cluster', 'c-reviews', edsCluster('c-reviews'));
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    expect(names(plan(store))).toEqual({
      listener: ['*'],
      routeConfiguration: ['outbound'],
      virtualHost: ['*'],
      cluster: ['c-reviews'],
      clusterLoadAssignment: ['c-reviews'],
    });
  });

  it('has no VHDS over SotW (delta only)', () => {
    const store = new ResourceStore();
    put(store, 'routeConfiguration', 'outbound', vhdsRoute('outbound'));
    expect(names(plan(store, ['outbound/x:1'], false)).virtualHost).toEqual([]);
  });

  it('keeps what the running snapshot uses (make before break)', () => {
    const store = new ResourceStore();
    const applied = { snapshot: null, edsNames: new Set(['old-eds']) };
    const i = planInterests({ store, statics: NO_STATICS, applied, onDemand: new Set(), delta: true });
    expect([...i.clusterLoadAssignment.names]).toEqual(['old-eds']);
  });
});
