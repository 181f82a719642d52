import { Collector } from '@weft/testing';
import type { Instance, RegistryEvent, Service, WatchRequest } from '@weft/api';
import { WeftError } from '@weft/shared';
import type { EventFeed, FeedHandlers } from './event-feed';
import type { SnapshotSource } from './snapshot-reader';
import type { WatchEvent } from './watch-event';
import { WatchSession, type WatchStats } from './watch-session';

/** In-memory stand-ins for NATS and the service layer: no network. */
class FakeFeed implements EventFeed {
  subject = '';
  ended = false;
  handlers: FeedHandlers | null = null;
  async open(subject: string, handlers: FeedHandlers): Promise<() => void> {
    this.subject = subject;
    this.handlers = handlers;
    return () => {
      this.ended = true;
    };
  }
  publish(service: string, revision: number, namespace = 'default'): void {
    const e: RegistryEvent = { v: 1, type: 'instance.updated', namespace, service, revision, serviceState: null, instance: null, reason: 'api', at: 1 };
    this.handlers?.event(JSON.parse(JSON.stringify(e)));
  }
}

class FakeSource implements SnapshotSource {
  readonly revisions = new Map<string, number>();
  /** Runs once, during the first snapshot read: events published while the watch starts. */
  duringSnapshot: () => void = () => undefined;
  async getService(ref: { name: string }): Promise<Service> {
    if (!this.revisions.has(ref.name)) throw new WeftError('X', 'not-found', 'no such service');
    return { name: ref.name, revision: this.revisions.get(ref.name) } as Service;
  }
  async listInstances(req: { service: string }): Promise<{ revision: number; instances: Instance[] }> {
    this.duringSnapshot();
    this.duringSnapshot = () => undefined;
    const revision = this.revisions.get(req.service) ?? 0;
    if (revision === 0) throw new WeftError('X', 'not-found', 'no such service');
    return { revision, instances: [{ id: `${req.service}@${revision}` } as Instance] };
  }
  async listServices(): Promise<Service[]> {
    return [...this.revisions.keys()].sort().map((name) => ({ name }) as Service);
  }
}

type Step = ['event', string, number] | ['store', string, number] | ['foreign', string, number] | ['reconnect'];
interface Row {
  name: string;
  req: Partial<WatchRequest>;
  store: Record<string, number>;
  during: [string, number][];
  steps: Step[];
  want: string[];
  resyncs?: number;
}

const rows: Row[] = [
  { name: 'snapshot first, then consecutive events', req: {}, store: { reviews: 2 }, during: [], steps: [['event', 'reviews', 3], ['event', 'reviews', 4]], want: ['snapshot reviews@2 initial', 'reviews@3', 'reviews@4'] },
  { name: 'events buffered during the snapshot and already in it are dropped', req: {}, store: { reviews: 4 }, during: [['reviews', 3], ['reviews', 4]], steps: [['event', 'reviews', 5]], want: ['snapshot reviews@4 initial', 'reviews@5'] },
  { name: 'buffered events newer than the snapshot are delivered after it', req: {}, store: { reviews: 2 }, during: [['reviews', 3]], steps: [['event', 'reviews', 4]], want: ['snapshot reviews@2 initial', 'reviews@3', 'reviews@4'] },
  { name: 'duplicates and stale events are dropped', req: {}, store: { reviews: 2 }, during: [], steps: [['event', 'reviews', 3], ['event', 'reviews', 3], ['event', 'reviews', 2], ['event', 'reviews', 4]], want: ['snapshot reviews@2 initial', 'reviews@3', 'reviews@4'] },
  { name: 'a gap resyncs with the stored state', req: {}, store: { reviews: 2 }, during: [], steps: [['store', 'reviews', 6], ['event', 'reviews', 6], ['event', 'reviews', 7]], want: ['snapshot reviews@2 initial', 'snapshot reviews@6 resync', 'reviews@7'], resyncs: 1 },
  { name: 'a forged revision jump resyncs to the true state', req: {}, store: { reviews: 2 }, during: [], steps: [['event', 'reviews', 10], ['event', 'reviews', 3]], want: ['snapshot reviews@2 initial', 'snapshot reviews@2 resync', 'reviews@3'], resyncs: 1 },
  { name: 'sinceRevision equal to the current revision skips the snapshot', req: { sinceRevision: 2 }, store: { reviews: 2 }, during: [], steps: [['event', 'reviews', 3]], want: ['reviews@3'] },
  { name: 'sinceRevision behind the current revision sends a snapshot', req: { sinceRevision: 1 }, store: { reviews: 2 }, during: [], steps: [['event', 'reviews', 3]], want: ['snapshot reviews@2 initial', 'reviews@3'] },
  { name: 'a service not created yet snapshots empty, then gets its first event', req: {}, store: {}, during: [], steps: [['event', 'reviews', 1]], want: ['snapshot reviews@0 initial', 'reviews@1'] },
  { name: 'events of other services and namespaces are ignored', req: {}, store: { reviews: 2 }, during: [], steps: [['event', 'ratings', 3], ['foreign', 'reviews', 3], ['event', 'reviews', 3]], want: ['snapshot reviews@2 initial', 'reviews@3'] },
  { name: 'namespace: a snapshot per service; a new service at revision 1 is delivered', req: { service: null }, store: { a: 1, b: 3 }, during: [], steps: [['event', 'c', 1], ['event', 'c', 2], ['event', 'a', 2]], want: ['snapshot a@1 initial', 'snapshot b@3 initial', 'c@1', 'c@2', 'a@2'] },
  { name: 'a reconnect re-checks: a service that moved meanwhile gets a resync snapshot', req: {}, store: { reviews: 2 }, during: [], steps: [['store', 'reviews', 4], ['reconnect'], ['event', 'reviews', 5]], want: ['snapshot reviews@2 initial', 'snapshot reviews@4 resync', 'reviews@5'], resyncs: 1 },
  { name: 'a reconnect with nothing missed sends nothing', req: {}, store: { reviews: 2 }, during: [], steps: [['reconnect'], ['event', 'reviews', 3]], want: ['snapshot reviews@2 initial', 'reviews@3'] },
  { name: 'namespace: a reconnect discovers services created during the outage', req: { service: null }, store: { a: 1 }, during: [], steps: [['store', 'b', 2], ['reconnect'], ['event', 'a', 2]], want: ['snapshot a@1 initial', 'snapshot b@2 discovered', 'a@2'] },
  { name: 'namespace: an unknown service past revision 1 is discovered by snapshot', req: { service: null }, store: { a: 1 }, during: [], steps: [['store', 'd', 5], ['event', 'd', 5], ['event', 'd', 6]], want: ['snapshot a@1 initial', 'snapshot d@5 discovered', 'd@6'], resyncs: 0 },
];

function describeEvent(e: WatchEvent): string {
  if (e.type !== 'snapshot') return `${e.service}@${e.revision}`;
  expect(e.instances.map((i) => i.id)).toEqual(e.revision === 0 ? [] : [`${e.service}@${e.revision}`]);
  return `snapshot ${e.service}@${e.revision} ${e.reason}`;
}

describe('WatchSession (fake feed and store)', () => {
  it.each(rows)('$name', async (row) => {
    const feed = new FakeFeed();
    const source = new FakeSource();
    for (const [svc, rev] of Object.entries(row.store)) source.revisions.set(svc, rev);
    source.duringSnapshot = () => row.during.forEach(([svc, rev]) => feed.publish(svc, rev));
    const counts = { resync: 0, stale: 0, invalid: 0 };
    const stats: WatchStats = { resync: () => counts.resync++, stale: () => counts.stale++, invalid: () => counts.invalid++ };
    const got = new Collector<WatchEvent>();
    const req: WatchRequest = { namespace: 'default', service: 'reviews', sinceRevision: 0, ...row.req };
    const session = new WatchSession(req, { feed, source, subjectPrefix: 'p.', stats }, got.push, () => undefined);
    await session.start();
    for (const step of row.steps) {
      if (step[0] === 'reconnect') feed.handlers?.reconnected();
      else if (step[0] === 'store') source.revisions.set(step[1], step[2]);
      else feed.publish(step[1], step[2], step[0] === 'foreign' ? 'other' : 'default');
    }
    await got.count(row.want.length, { timeoutMs: 2000 });
    expect(got.items.map(describeEvent)).toEqual(row.want);
    expect(counts.resync).toBe(row.resyncs ?? 0);
    expect(feed.subject).toBe(req.service === null ? 'p.weft.registry.events.default.*' : 'p.weft.registry.events.default.reviews');
    session.close();
    expect(feed.ended).toBe(true);
  });

  it('counts payloads that are not registry events and keeps going', async () => {
    const feed = new FakeFeed();
    const source = new FakeSource();
    source.revisions.set('reviews', 1);
    let invalid = 0;
    const stats: WatchStats = { resync: () => undefined, stale: () => undefined, invalid: () => invalid++ };
    const got = new Collector<WatchEvent>();
    const session = new WatchSession({ namespace: 'default', service: 'reviews', sinceRevision: 0 }, { feed, source, subjectPrefix: '', stats }, got.push, () => undefined);
    await session.start();
    feed.handlers?.event({ hello: 'world' });
    feed.publish('reviews', 2);
    await got.count(2, { timeoutMs: 2000 });
    expect(invalid).toBe(1);
  });
});
