import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { WriteBatch, type BatchedWriter } from '../io/write-batch';
import type { H1Connection } from './h1-connection';
import type { UpstreamRequestOptions } from './upstream-dispatcher';

/** Methods whose request carries a body by definition: an empty one is announced `content-length: 0` (as undici does). */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH', 'QUERY']);

export function upstreamError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One request/response over a pooled HTTP/1.1 connection, and its undici-style controller: abort,
 * pause, resume. Queued until the pool assigns a connection (then `onRequestStart`); its events after
 * an abort are dropped. Fixed shape.
 */
export class H1Exchange implements Dispatcher.DispatchController, BatchedWriter {
  conn: H1Connection | null = null;
  /** The response head arrived (the idle timeout then watches body chunks). */
  responding = false;
  /** Request fully written / response fully read: the connection is reusable once both are. */
  requestDone = false;
  responseDone = false;
  private over = false;
  private isPaused = false;
  private abortReason: Error | null = null;
  private chunked = false;
  private source: Readable | null = null;
  /** A request head (and buffered body) waiting for this turn's WriteBatch. */
  private queuedHead: string | null = null;
  private queuedBody: Buffer | null = null;

  constructor(
    readonly opts: UpstreamRequestOptions,
    readonly handler: Dispatcher.DispatchHandler,
  ) {}

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  get finished(): boolean {
    return this.over;
  }

  abort(reason: Error): void {
    if (this.over) return;
    this.abortReason = reason;
    this.fail(reason);
  }

  pause(): void {
    this.isPaused = true;
    this.conn?.socket.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.conn?.socket.resume();
  }

  /** A connection is ours: tell the handler, then write the request. */
  start(conn: H1Connection): void {
    this.conn = conn;
    this.handler.onRequestStart?.(this, null);
    if (this.over) return;
    this.writeRequest(conn);
  }

  private writeRequest(conn: H1Connection): void {
    const { method, path, headers, body } = this.opts;
    let head = `${method} ${path} HTTP/1.1\r\n`;
    let length = -1;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = Number(headers[i + 1]);
      head += `${name}: ${headers[i + 1]}\r\n`;
    }
    if (body === null || Buffer.isBuffer(body)) {
      const size = body === null ? 0 : body.length;
      if (length < 0 && (size > 0 || PAYLOAD_METHODS.has(method))) head += `content-length: ${size}\r\n`;
      // Written with every other request of this event-loop turn (WriteBatch).
      this.queuedHead = `${head}\r\n`;
      this.queuedBody = body !== null && size > 0 ? body : null;
      requests.add(this);
      return this.requestWritten();
    }
    this.chunked = length < 0;
    conn.socket.write(this.chunked ? `${head}transfer-encoding: chunked\r\n\r\n` : `${head}\r\n`, 'latin1');
    this.streamBody(body);
  }

  /** WriteBatch: writes the queued request head (and buffered body), unless the exchange lost its connection meanwhile. */
  flush(): void {
    const head = this.queuedHead;
    const body = this.queuedBody;
    this.queuedHead = null;
    this.queuedBody = null;
    const socket = this.conn?.socket;
    if (head === null || socket === undefined || socket.destroyed) return;
    if (body === null) {
      socket.write(head, 'latin1');
      return;
    }
    socket.cork();
    socket.write(head, 'latin1');
    socket.write(body);
    socket.uncork();
  }

  private streamBody(body: Readable): void {
    this.source = body;
    body.on('data', onBodyData);
    body.once('end', onBodyEnd);
    body.once('error', onBodyError);
    (body as Readable & { weftExchange?: H1Exchange }).weftExchange = this;
  }

  bodyData(chunk: Buffer): void {
    const conn = this.conn;
    if (conn === null || this.over || chunk.length === 0) return;
    const s = conn.socket;
    let ok: boolean;
    if (this.chunked) {
      s.cork();
      s.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      s.write(chunk);
      ok = s.write('\r\n', 'latin1');
      s.uncork();
    } else {
      ok = s.write(chunk);
    }
    const source = this.source;
    if (!ok && source !== null) {
      source.pause();
      s.once('drain', () => source.resume());
    }
  }

  bodyEnd(): void {
    if (this.over || this.conn === null) return;
    if (this.chunked) this.conn.socket.write('0\r\n\r\n', 'latin1');
    this.detachBody();
    this.requestWritten();
  }

  private requestWritten(): void {
    this.requestDone = true;
    if (this.responseDone) this.conn?.exchangeDone(this);
    else this.conn?.requestSent(this);
  }

  private detachBody(): void {
    const body = this.source;
    if (body === null) return;
    this.source = null;
    body.removeListener('data', onBodyData);
    body.removeListener('end', onBodyEnd);
    body.removeListener('error', onBodyError);
    // Whatever the downstream still sends goes nowhere (never a stalled downstream).
    body.on('error', noop);
    body.resume();
  }

  /** The response head (1xx excluded). */
  head(status: number, headers: Record<string, string | string[]>, statusText: string): void {
    this.responding = true;
    if (!this.over) this.handler.onResponseStart?.(this, status, headers, statusText);
  }

  data(chunk: Buffer): void {
    if (!this.over) this.handler.onResponseData?.(this, chunk);
  }

  /** The response is complete; the connection goes back to the pool once the request is written too. */
  end(trailers: Record<string, string | string[]>): void {
    if (this.over) return;
    this.over = true;
    this.responseDone = true;
    this.handler.onResponseEnd?.(this, trailers);
    if (!this.requestDone) {
      // The upstream answered before reading the whole request: this connection cannot be reused.
      this.detachBody();
      this.conn?.destroy(null);
      return;
    }
    this.conn?.exchangeDone(this);
  }

  /** Ends the exchange with an error (connection failure, timeout, abort); the connection is dropped. */
  fail(err: Error): void {
    if (this.over) return;
    this.over = true;
    this.detachBody();
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) conn.destroy(err);
    this.handler.onResponseError?.(this, err);
  }

  /** Whether the request may still be sent (not aborted while it waited for a connection). */
  get waiting(): boolean {
    return !this.over && this.conn === null;
  }

  /** The pool gave up on this request before a connection was assigned. */
  reject(err: Error): void {
    if (this.over) return;
    this.over = true;
    this.handler.onResponseError?.(this, err);
  }
}

/** Request heads queued in this event-loop turn. */
const requests = new WriteBatch<H1Exchange>();

function noop(): void {
  // drained on purpose
}

type BodySource = Readable & { weftExchange?: H1Exchange };

function onBodyData(this: BodySource, chunk: Buffer): void {
  this.weftExchange?.bodyData(chunk);
}

function onBodyEnd(this: BodySource): void {
  this.weftExchange?.bodyEnd();
}

function onBodyError(this: BodySource, err: Error): void {
  this.weftExchange?.fail(upstreamError('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', `request body failed: ${err.message}`));
}
