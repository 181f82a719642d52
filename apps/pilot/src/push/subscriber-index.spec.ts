import { TYPE_URL } from '@weft/xds';
import { change } from '../server/testing/memory-provider';
import { SubscriberIndex } from './subscriber-index';

const CDS = TYPE_URL.cluster;
const EDS = TYPE_URL.clusterLoadAssignment;

describe('SubscriberIndex', () => {
  it('fans a named change out to the streams watching that name only', () => {
    const index = new SubscriberIndex<string>();
    index.watch(EDS, 'a', 's1');
    index.watch(EDS, 'b', 's2');
    index.watch(EDS, 'a', 's3');
    const out = index.fanOut(change(EDS, ['a'], false, 5));
    expect([...out.keys()].sort()).toEqual(['s1', 's3']);
    expect([...(out.get('s1')?.names(EDS) ?? [])]).toEqual(['a']);
    expect(out.get('s1')?.seenAt).toBe(5);
  });

  it('adds wildcard types only for the wildcard subscribers of that type', () => {
    const index = new SubscriberIndex<string>();
    index.setWildcard(CDS, 'w1', true);
    index.setWildcard(EDS, 'w2', true);
    index.watch(CDS, 'x', 'named');
    const out = index.fanOut(change(CDS, ['x'], true));
    expect([...out.keys()].sort()).toEqual(['named', 'w1']);
    expect(out.get('w1')?.wildcard.has(CDS)).toBe(true);
    expect(out.get('named')?.wildcard.size).toBe(0);
  });

  it('forgets unwatched names and wildcard subscribers', () => {
    const index = new SubscriberIndex<string>();
    index.watch(EDS, 'a', 's1');
    index.setWildcard(CDS, 's1', true);
    index.unwatch(EDS, 'a', 's1');
    index.setWildcard(CDS, 's1', false);
    expect(index.size()).toBe(0);
    const both = change(EDS, ['a'], false);
    expect(index.fanOut({ ...both, wildcard: new Set([CDS]) }).size).toBe(0);
  });

  it('pushes to the watchers of the changed names among many streams', () => {
    const index = new SubscriberIndex<number>();
    for (let s = 0; s < 10_000; s++) index.watch(EDS, `svc-${s}`, s);
    const out = index.fanOut(change(EDS, ['svc-42', 'svc-7'], false));
    expect([...out.keys()].sort((a, b) => a - b)).toEqual([7, 42]);
  });
});
