import { ConcurrencyLimiter } from './concurrency-limiter';

/** A task the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('runs at most `limit` tasks at once and starts the waiting ones in FIFO order', async () => {
    const lim = new ConcurrencyLimiter(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const done = gates.map((g, i) => lim.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }));
    await tick();
    expect([started, lim.running, lim.queued]).toEqual([[0, 1], 2, 2]);
    gates[1].open();
    await tick();
    expect([started, lim.running, lim.queued]).toEqual([[0, 1, 2], 2, 1]);
    gates[0].open();
    gates[2].open();
    gates[3].open();
    await expect(Promise.all(done)).resolves.toEqual([0, 1, 2, 3]);
    expect([started, lim.running, lim.queued]).toEqual([[0, 1, 2, 3], 0, 0]);
  });

  it('frees the slot when a task throws, and passes the error on', async () => {
    const lim = new ConcurrencyLimiter(1);
    await expect(lim.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lim.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(lim.running).toBe(0);
  });

  it.each([0, -1, 1.5])('refuses a limit of %p', (limit) => {
    expect(() => new ConcurrencyLimiter(limit)).toThrow(RangeError);
  });
});
