import { ResourceStore } from './resource-store';
import { SnapshotAssembler } from './snapshot-assembler';
import { NO_STATICS } from './subscription-planner';
import { cla, edsCluster, put, rdsListener, vhdsRoute, vhost } from './xds-fixtures.spec-helper';

const BASE = { admin: null, node: { id: 'n', cluster: 'c' } };

function setup(): { store: ResourceStore; asm: SnapshotAssembler } {
  const store = new ResourceStore();
  put(store, 'listener', 'outbound', rdsListener('outbound', 'outbound'));
  put(store, 'routeConfiguration', 'outbound', vhdsRoute('outbound'));
  put(store, 'virtualHost', 'outbound/reviews:9080', vhost('outbound/reviews:9080', ['reviews:9080'], 'c-reviews'));
  put(store, 'cluster', 'c-reviews', edsCluster('c-reviews'));
  return { store, asm: new SnapshotAssembler(store, NO_STATICS, BASE) };
}

const domainsOf = (asm: SnapshotAssembler): string[] | null => {
  const a = asm.assemble();
  asm.commit(a);
  return a.snapshot.listeners[0]?.http?.routeConfig?.virtualHosts.map((vh) => vh.domains.join(',')) ?? null;
};

describe('SnapshotAssembler: warming and assembly', () => {
  it('warms an EDS cluster until its endpoints arrive, and serves no virtual host that needs it', () => {
    const { store, asm } = setup();
    const a = asm.assemble();
    expect(a.warming.clusters).toEqual(['c-reviews']);
    expect(a.snapshot.clusters.size).toBe(0);
    expect(a.snapshot.listeners[0].http?.routeConfig?.virtualHosts).toEqual([]);
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    const b = asm.assemble();
    expect(b.snapshot.clusters.get('c-reviews')?.endpoints.map((e) => e.port)).toEqual([9080]);
    expect(b.snapshot.listeners[0].http?.routeConfig?.virtualHosts.map((vh) => vh.name)).toEqual(['outbound/reviews:9080']);
  });

  it('warms a listener until its route configuration arrives', () => {
    const store = new ResourceStore();
    put(store, 'listener', 'outbound', rdsListener('outbound', 'outbound'));
    const asm = new SnapshotAssembler(store, NO_STATICS, BASE);
    expect(asm.assemble().warming.listeners).toEqual(['outbound']);
  });

  it('keeps object identity when nothing changed, and changes only the cluster on an EDS update', () => {
    const { store, asm } = setup();
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    const a = asm.assemble();
    asm.commit(a);
    const same = asm.assemble();
    expect(same.changed).toBe(false);
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9081));
    const b = asm.assemble();
    expect(b.changed).toBe(true);
    expect(b.snapshot.listeners[0]).toBe(a.snapshot.listeners[0]);
    expect(b.snapshot.clusters.get('c-reviews')).not.toBe(a.snapshot.clusters.get('c-reviews'));
  });

  it('keeps serving the running version of a virtual host while the clusters of its new version warm', () => {
    const { store, asm } = setup();
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    asm.commit(asm.assemble());
    put(store, 'virtualHost', 'outbound/reviews:9080', vhost('outbound/reviews:9080', ['reviews:9080'], 'c-reviews-v2'));
    const a = asm.assemble();
    const route = a.snapshot.listeners[0].http?.routeConfig?.virtualHosts[0].routes[0].action;
    expect(route).toMatchObject({ kind: 'route', clusters: [{ name: 'c-reviews' }] });
  });

  it('drops domains an earlier virtual host claimed (inline first, then by name)', () => {
    const { store, asm } = setup();
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    put(store, 'virtualHost', 'outbound/reviews.default:9080', vhost('outbound/reviews.default:9080', ['reviews:9080', 'reviews.default:9080'], 'c-reviews'));
    expect(domainsOf(asm)).toEqual(['reviews:9080,reviews.default:9080']);
  });

  it('serves no endpoints when the endpoints of a running cluster are removed', () => {
    const { store, asm } = setup();
    put(store, 'clusterLoadAssignment', 'c-reviews', cla('c-reviews', 9080));
    asm.commit(asm.assemble());
    store.delete('clusterLoadAssignment', 'c-reviews');
    expect(asm.assemble().snapshot.clusters.get('c-reviews')?.endpoints).toEqual([]);
  });
});
