import { TYPE_URL } from '@weft/xds';
import { PushQueue, type PushTarget } from './push-queue';
import { PushRequest } from './push-request';

const EDS = TYPE_URL.clusterLoadAssignment;

/** A stream that records the pushes it gets and says whether it sent something. */
class FakeTarget implements PushTarget {
  readonly received: string[][] = [];
  sends = true;

  push(request: PushRequest): boolean {
    this.received.push([...(request.names(EDS) ?? [])].sort());
    return this.sends;
  }
}

/** One event-loop turn of the fake clock (fake setImmediate needs the clock to move): far below the ACK timeout. */
function turn(): void {
  jest.advanceTimersByTime(1);
}

function request(...names: string[]): PushRequest {
  const r = new PushRequest(1);
  for (const n of names) r.addName(EDS, n);
  return r;
}

describe('PushQueue', () => {
  let queue: PushQueue<FakeTarget>;
  let errors: unknown[];

  beforeEach(() => {
    jest.useFakeTimers();
    errors = [];
    queue = new PushQueue({ batch: 2, ackTimeoutMs: 5000 }, (_t, err) => errors.push(err));
  });

  afterEach(() => {
    queue.close();
    jest.useRealTimers();
  });

  it('merges pushes for a stream that is still waiting for its turn', () => {
    const t = new FakeTarget();
    queue.enqueue(t, request('a'));
    queue.enqueue(t, request('b'));
    turn();
    expect(t.received).toEqual([['a', 'b']]);
  });

  it('holds further pushes while one is unacknowledged and sends them merged once it is settled', () => {
    const t = new FakeTarget();
    queue.enqueue(t, request('a'));
    turn();
    queue.enqueue(t, request('b'));
    queue.enqueue(t, request('c'));
    turn();
    expect(t.received).toEqual([['a']]);
    expect(queue.isInFlight(t)).toBe(true);
    queue.settled(t);
    turn();
    expect(t.received).toEqual([['a'], ['b', 'c']]);
  });

  it('a push that sent nothing leaves the stream free', () => {
    const t = new FakeTarget();
    t.sends = false;
    queue.enqueue(t, request('a'));
    turn();
    queue.enqueue(t, request('b'));
    turn();
    expect(t.received).toEqual([['a'], ['b']]);
  });

  it('releases a stream whose ACK never comes after the ACK timeout', () => {
    const t = new FakeTarget();
    queue.enqueue(t, request('a'));
    turn();
    queue.enqueue(t, request('b'));
    jest.advanceTimersByTime(4000);
    expect(t.received).toEqual([['a']]);
    jest.advanceTimersByTime(1100);
    expect(t.received).toEqual([['a'], ['b']]);
  });

  it('serves streams in FIFO order, `batch` per turn', () => {
    const targets = [new FakeTarget(), new FakeTarget(), new FakeTarget()];
    targets.forEach((t, i) => queue.enqueue(t, request(`n${i}`)));
    jest.advanceTimersToNextTimer();
    expect(targets.map((t) => t.received.length)).toEqual([1, 1, 0]);
    jest.advanceTimersToNextTimer();
    expect(targets.map((t) => t.received.length)).toEqual([1, 1, 1]);
  });

  it('forgets a removed stream', () => {
    const t = new FakeTarget();
    queue.enqueue(t, request('a'));
    queue.remove(t);
    turn();
    expect(t.received).toEqual([]);
  });

  it('reports a stream whose push throws and keeps serving the others', () => {
    const bad: FakeTarget = Object.assign(new FakeTarget(), {
      push: (): boolean => {
        throw new Error('boom');
      },
    });
    const good = new FakeTarget();
    queue.enqueue(bad, request('a'));
    queue.enqueue(good, request('b'));
    turn();
    expect(errors).toHaveLength(1);
    expect(good.received).toEqual([['b']]);
  });
});
