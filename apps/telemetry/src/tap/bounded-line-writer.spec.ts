import { BoundedLineWriter, type LineSink } from './bounded-line-writer';

/** A sink that accepts `capacity` writes, then reports full until drained by the test. */
class SlowSink implements LineSink {
  readonly written: string[] = [];
  private drainListener: (() => void) | null = null;

  constructor(private capacity: number) {}

  write(chunk: string): boolean {
    this.written.push(chunk.trimEnd());
    this.capacity--;
    return this.capacity > 0;
  }

  once(_event: 'drain', listener: () => void): void {
    this.drainListener = listener;
  }

  drain(capacity: number): void {
    this.capacity = capacity;
    const l = this.drainListener;
    this.drainListener = null;
    l?.();
  }
}

describe('BoundedLineWriter', () => {
  it('writes straight through while the sink accepts', () => {
    const sink = new SlowSink(100);
    const w = new BoundedLineWriter(sink, 2, () => undefined);
    for (const l of ['a', 'b', 'c']) expect(w.push(l)).toBe(true);
    expect(sink.written).toEqual(['a', 'b', 'c']);
    expect(w.takeDropped()).toBe(0);
  });

  it('queues at most maxQueued lines for a slow client, drops and counts the rest, then resumes in order', () => {
    const sink = new SlowSink(1);
    const dropped: number[] = [];
    const w = new BoundedLineWriter(sink, 2, (n) => dropped.push(n));
    expect(['a', 'b', 'c', 'd', 'e'].map((l) => w.push(l))).toEqual([true, true, true, false, false]);
    expect(sink.written).toEqual(['a']);
    expect(w.hasRoom).toBe(false);
    expect(w.takeDropped()).toBe(2);
    expect(w.takeDropped()).toBe(0);
    expect(dropped).toEqual([1, 1]);
    sink.drain(100);
    expect(sink.written).toEqual(['a', 'b', 'c']);
    expect(w.hasRoom).toBe(true);
    w.push('f');
    expect(sink.written).toEqual(['a', 'b', 'c', 'f']);
  });

  it('ends the sink only once the queued lines are written', () => {
    const sink = new SlowSink(1);
    const w = new BoundedLineWriter(sink, 10, () => undefined);
    w.push('a');
    w.push('b');
    let ended = false;
    w.finish(() => (ended = true));
    expect(w.push('c')).toBe(false);
    expect(ended).toBe(false);
    sink.drain(100);
    expect(sink.written).toEqual(['a', 'b']);
    expect(ended).toBe(true);
  });
});
