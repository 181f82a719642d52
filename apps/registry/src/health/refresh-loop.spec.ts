import { RefreshLoop } from './refresh-loop';

/** A task whose runs the test counts and finishes by hand. */
function task() {
  const runs: (() => void)[] = [];
  let fail = false;
  const fn = () =>
    new Promise<void>((resolve, reject) => runs.push(() => (fail ? reject(new Error('boom')) : resolve())));
  return { fn, runs, finish: (i: number) => runs[i](), failNext: () => (fail = true) };
}

describe('RefreshLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at start, then once per period after each run ends', async () => {
    const t = task();
    const loop = new RefreshLoop(t.fn, 100, () => undefined);
    const first = loop.start();
    expect(t.runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(t.runs).toHaveLength(1); // still running: no overlap, no pile-up
    t.finish(0);
    await first;
    await jest.advanceTimersByTimeAsync(99);
    expect(t.runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.runs).toHaveLength(2);
    t.finish(1);
    await loop.stop();
  });

  it('coalesces kicks during a run into one run right after it', async () => {
    const t = task();
    const loop = new RefreshLoop(t.fn, 10_000, () => undefined);
    void loop.start();
    loop.kick();
    loop.kick();
    t.finish(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(t.runs).toHaveLength(2);
    t.finish(1);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(t.runs).toHaveLength(2);
  });

  it('runs at once when kicked while idle', async () => {
    const t = task();
    const loop = new RefreshLoop(t.fn, 10_000, () => undefined);
    void loop.start();
    t.finish(0);
    await jest.advanceTimersByTimeAsync(10);
    loop.kick();
    await jest.advanceTimersByTimeAsync(0);
    expect(t.runs).toHaveLength(2);
  });

  it('reports an escaped error and keeps going', async () => {
    const t = task();
    const errors: unknown[] = [];
    const loop = new RefreshLoop(t.fn, 100, (e) => errors.push(e));
    t.failNext();
    const first = loop.start();
    t.finish(0);
    await first;
    expect(errors).toEqual([new Error('boom')]);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.runs).toHaveLength(2);
  });

  it('stop waits for the run under way and ends the loop', async () => {
    const t = task();
    const loop = new RefreshLoop(t.fn, 100, () => undefined);
    void loop.start();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    t.finish(0);
    await stopping;
    loop.kick();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(t.runs).toHaveLength(1);
  });
});
