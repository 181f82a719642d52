/** Something with bytes to write once the current event-loop turn's I/O callbacks are done. */
export interface BatchedWriter {
  flush(): void;
}

/**
 * Socket writes gathered over one event-loop turn and made together in its check phase
 * (setImmediate), after every I/O callback of the turn has run. Each loopback write wakes the
 * process at the other end; a burst of writes wakes it once instead of once per request — that
 * wake-up (`sock_def_readable`) was the largest single cost in the proxy's profile. Used by the
 * downstream responses of the HTTP/1.1 fast path and by the upstream request heads.
 *
 * A writer is added at most once per batch (the caller keeps its own "queued" flag); what a writer
 * queues while the batch runs (a 'drain' handler) waits for the next turn.
 */
export class WriteBatch<T extends BatchedWriter> {
  private queued: T[] = [];

  add(writer: T): void {
    this.queued.push(writer);
    if (this.queued.length === 1) setImmediate(this.run);
  }

  private readonly run = (): void => {
    const batch = this.queued;
    this.queued = [];
    for (const w of batch) w.flush();
  };
}
