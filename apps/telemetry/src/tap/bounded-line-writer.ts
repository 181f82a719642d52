/** The part of a Node writable stream the writer needs (an http.ServerResponse in practice). */
export interface LineSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes NDJSON lines to a slow consumer with bounded memory: lines go straight to the sink while it
 * accepts them; while it is full (write() returned false, waiting for 'drain') at most `maxQueued`
 * lines wait, and further ones are dropped and counted. Nothing is ever buffered without bound.
 */
export class BoundedLineWriter {
  private readonly queue: string[] = [];
  private waitingDrain = false;
  private droppedSinceReport = 0;
  private closed = false;
  private onEmpty: (() => void) | null = null;

  constructor(
    private readonly sink: LineSink,
    private readonly maxQueued: number,
    /** Called with the number of lines dropped because the client was too slow. */
    private readonly onDrop: (n: number) => void,
  ) {}

  /** Queues or writes one line (without its newline); false when it was dropped. */
  push(line: string): boolean {
    if (this.closed) return false;
    if (!this.waitingDrain) {
      this.write(line);
      return true;
    }
    if (this.queue.length >= this.maxQueued) {
      this.droppedSinceReport++;
      this.onDrop(1);
      return false;
    }
    this.queue.push(line);
    return true;
  }

  /** Lines dropped for slowness since the last call (the caller reports them in a `{"dropped":n}` line). */
  takeDropped(): number {
    const n = this.droppedSinceReport;
    this.droppedSinceReport = 0;
    return n;
  }

  /** Whether a pushed line would be written or queued rather than dropped. */
  get hasRoom(): boolean {
    return !this.closed && (!this.waitingDrain || this.queue.length < this.maxQueued);
  }

  /** Stops accepting lines; `end` runs once the queued lines are handed to the sink. */
  finish(end: () => void): void {
    this.closed = true;
    if (this.queue.length === 0) end();
    else this.onEmpty = end;
  }

  private write(line: string): void {
    if (this.sink.write(`${line}\n`)) return;
    this.waitingDrain = true;
    this.sink.once('drain', () => this.drained());
  }

  private drained(): void {
    this.waitingDrain = false;
    while (!this.waitingDrain && this.queue.length > 0) this.write(this.queue.shift() as string);
    if (this.queue.length === 0 && this.onEmpty !== null) {
      const end = this.onEmpty;
      this.onEmpty = null;
      end();
    }
  }
}
