import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/** What a fast request needs from its connection: flow control of the socket. */
export interface FastRequestSource {
  pauseReading(): void;
  resumeReading(): void;
}

/** Body bytes kept for a request nobody reads yet (held, or delayed by a filter) before the socket is paused. */
const BUFFER_LIMIT = 64 * 1024;

/**
 * An HTTP/1.1 request of the fast path: the parsed head (what IncomingMessage offers the route stage:
 * method, url, headers, rawHeaders, socket) and its body as events — 'data', 'end', 'aborted' —
 * with pause/resume applied to the connection's socket. Body chunks are kept until someone reads
 * (a 'data' listener or resume()), as a stream would. Fixed shape.
 */
export class FastH1Request extends EventEmitter {
  readonly httpVersionMajor = 1;
  complete = false;
  aborted = false;
  private flowing = false;
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;
  private endPending = false;
  private flushScheduled = false;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly httpVersionMinor: number,
    readonly rawHeaders: string[],
    readonly headers: IncomingHttpHeaders,
    readonly socket: Socket,
    private readonly source: FastRequestSource,
  ) {
    super();
  }

  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    super.on(event, listener as (...args: unknown[]) => void);
    if (event === 'data' && !this.flowing) this.resume();
    return this;
  }

  pause(): this {
    if (!this.flowing) return this;
    this.flowing = false;
    if (!this.complete) this.source.pauseReading();
    return this;
  }

  resume(): this {
    if (this.flowing) return this;
    this.flowing = true;
    // As a stream does: what was kept is delivered on the next tick, after the reader's listeners are on.
    if ((this.pending !== null || this.endPending) && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushRequest, this);
    }
    if (!this.complete) this.source.resumeReading();
    return this;
  }

  /** A body chunk from the parser. */
  push(chunk: Buffer): void {
    if (this.flowing && this.pending === null) {
      this.emit('data', chunk);
      return;
    }
    (this.pending ??= []).push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes > BUFFER_LIMIT) this.source.pauseReading();
  }

  /** The message is complete. */
  finish(): void {
    this.complete = true;
    if (this.flowing && this.pending === null) this.emit('end');
    else this.endPending = true;
  }

  /** The connection went away (or the request turned malformed) before the message was complete. */
  abort(): void {
    if (this.complete || this.aborted) return;
    this.aborted = true;
    this.emit('aborted');
  }

  /** Delivers what was kept, until the reader pauses again. */
  flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    if (pending !== null) {
      while (pending.length > 0 && this.flowing) {
        const c = pending.shift() as Buffer;
        this.pendingBytes -= c.length;
        this.emit('data', c);
      }
      if (pending.length > 0) return;
      this.pending = null;
    }
    if (this.endPending && this.flowing) {
      this.endPending = false;
      this.emit('end');
    }
  }
}

function flushRequest(req: FastH1Request): void {
  req.flush();
}
