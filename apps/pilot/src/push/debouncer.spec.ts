import { TYPE_URL } from '@weft/xds';
import { change } from '../server/testing/memory-provider';
import { Debouncer } from './debouncer';
import type { PushRequest } from './push-request';

const CDS = TYPE_URL.cluster;
const EDS = TYPE_URL.clusterLoadAssignment;

describe('Debouncer', () => {
  let flushed: PushRequest[];
  let debouncer: Debouncer;

  beforeEach(() => {
    jest.useFakeTimers();
    flushed = [];
    debouncer = new Debouncer({ quietMs: 100, maxMs: 1000 }, (request) => flushed.push(request));
  });

  afterEach(() => {
    debouncer.close();
    jest.useRealTimers();
  });

  /** Feeds one change per offset (ms since start), then runs the clock to `until`. */
  function feed(offsets: readonly number[], until: number): void {
    let now = 0;
    offsets.forEach((at, i) => {
      jest.advanceTimersByTime(at - now);
      now = at;
      debouncer.add(change(EDS, [`ep-${i}`], false, 1_000 + i));
    });
    jest.advanceTimersByTime(until - now);
  }

  it.each([
    { what: 'one change', offsets: [0], until: 500, pushes: 1 },
    { what: '5 changes within 100 ms', offsets: [0, 20, 40, 60, 80], until: 500, pushes: 1 },
    { what: 'two bursts separated by quiet', offsets: [0, 50, 400, 450], until: 1000, pushes: 2 },
    { what: 'a change every 50 ms for 1.5 s (flushed at the 1 s max, then again)', offsets: range(0, 1500, 50), until: 3000, pushes: 2 },
  ])('$what → $pushes push(es)', ({ offsets, until, pushes }) => {
    feed(offsets, until);
    expect(flushed).toHaveLength(pushes);
    expect(flushed.reduce((n, r) => n + r.merged, 0)).toBe(offsets.length);
  });

  it('waits for the quiet period after the last change', () => {
    feed([0, 20, 40, 60, 80], 179);
    expect(flushed).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(flushed).toHaveLength(1);
  });

  it('flushes continuous changes at the max delay from the first one', () => {
    feed(range(0, 1000, 50), 999);
    expect(flushed).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]?.merged).toBe(20);
  });

  it('merges changes: union of names per type, union of wildcard types, earliest seenAt', () => {
    debouncer.add(change(EDS, ['a', 'b'], false, 2_000));
    debouncer.add(change(EDS, ['b', 'c'], false, 1_500));
    debouncer.add(change(CDS, ['x'], true, 3_000));
    jest.advanceTimersByTime(100);
    const [request] = flushed;
    expect([...(request?.names(EDS) ?? [])].sort()).toEqual(['a', 'b', 'c']);
    expect([...(request?.names(CDS) ?? [])]).toEqual(['x']);
    expect([...(request?.wildcard ?? [])]).toEqual([CDS]);
    expect(request?.seenAt).toBe(1_500);
  });

  it('drops pending changes on close', () => {
    debouncer.add(change(EDS, ['a'], false));
    debouncer.close();
    jest.advanceTimersByTime(2000);
    expect(flushed).toHaveLength(0);
  });
});

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v < to; v += step) out.push(v);
  return out;
}
