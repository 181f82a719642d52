import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { WriteBatch, type BatchedWriter } from '../io/write-batch';

/** What a fast response needs from its connection. */
export interface FastResponseSink {
  readonly socket: Socket;
  /** The response is complete (or cut): the connection moves on to the next request or closes. */
  responseDone(res: FastH1Response, keepAlive: boolean): void;
  /** Cuts the connection (a response that cannot finish). */
  destroy(): void;
  /** The response emitted 'close' (ended or cut). */
  responseClosed(res: FastH1Response): void;
}

type HeaderValue = string | number | readonly string[] | undefined;

/** Responses to these carry no body whatever their headers say (RFC 9112 §6.3). */
function bodyless(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

let dateText = '';
let dateSecond = 0;
/** The Date header value, formatted at most once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/**
 * An HTTP/1.1 response of the fast path, with the part of ServerResponse the downstream writer uses
 * (writeHead, write, end, addTrailers, destroy, 'close'/'drain'/'finish'). The head is serialised
 * once; what a response queues during one event-loop turn leaves in one write (WriteBatch). Bodies
 * without a length are chunked (HTTP/1.1) or close-delimited (HTTP/1.0). Fixed shape.
 */
export class FastH1Response extends EventEmitter implements BatchedWriter {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  shouldKeepAlive: boolean;
  /** Handed to the route stage (pipelined responses wait their turn). */
  started = false;
  private chunked = false;
  private noBody = false;
  private out: (string | Buffer)[] = [];
  private flushScheduled = false;
  private trailers: Record<string, string | string[]> | null = null;
  /** Headers set with setHeader before writeHead (rare on HTTP/1.1): allocated on first use. */
  private extra: Record<string, HeaderValue> | null = null;

  constructor(
    private readonly sink: FastResponseSink,
    readonly method: string,
    private readonly http10: boolean,
    keepAlive: boolean,
  ) {
    super();
    this.shouldKeepAlive = keepAlive;
  }

  get socket(): Socket {
    return this.sink.socket;
  }

  setHeader(name: string, value: HeaderValue): this {
    (this.extra ??= {})[name.toLowerCase()] = value;
    return this;
  }

  writeHead(status: number, headers?: Record<string, HeaderValue>): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    this.headersSent = true;
    this.noBody = bodyless(status, this.method);
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    sawLength = false;
    if (this.extra !== null) head += appendHeaders(this.extra);
    if (headers !== undefined) head += appendHeaders(headers);
    if (!sawLength && !this.noBody) {
      if (this.http10) this.shouldKeepAlive = false;
      else this.chunked = true;
    }
    if (this.chunked) head += 'transfer-encoding: chunked\r\n';
    head += this.shouldKeepAlive ? 'connection: keep-alive\r\n' : 'connection: close\r\n';
    head += `date: ${httpDate()}\r\n\r\n`;
    this.queue(head);
    return this;
  }

  /** Writes a body chunk; false when the socket asks to wait for 'drain'. */
  write(data: Buffer | string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (this.noBody || data.length === 0) return true;
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.chunked) {
      this.queue(`${chunk.length.toString(16)}\r\n`);
      this.queue(chunk);
      this.queue('\r\n');
    } else {
      this.queue(chunk);
    }
    const s = this.sink.socket;
    if (s.writableLength + this.pendingBytes() < s.writableHighWaterMark) return true;
    s.once('drain', () => this.emit('drain'));
    return false;
  }

  addTrailers(trailers: Record<string, string | string[]>): void {
    this.trailers = trailers;
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (chunk !== undefined) this.write(chunk);
    if (this.chunked) this.queue(this.trailers === null ? '0\r\n\r\n' : `0\r\n${appendHeaders(this.trailers)}\r\n`);
    this.writableEnded = true;
    this.sink.responseDone(this, this.shouldKeepAlive);
    // As ServerResponse: 'finish' and 'close' come after the current call stack (the router finishes its own bookkeeping first).
    process.nextTick(emitEnded, this);
    return this;
  }

  /** Cuts the response (and its connection). */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded) this.sink.destroy();
    return this;
  }

  /** 'close' after a normal end. */
  closed(): void {
    this.emit('close');
    this.sink.responseClosed(this);
  }

  /** The connection closed under a response that had not ended. */
  connectionClosed(): void {
    if (this.writableEnded) return;
    this.destroyed = true;
    this.writableEnded = true;
    this.emit('close');
    this.sink.responseClosed(this);
  }

  private queue(piece: string | Buffer): void {
    this.out.push(piece);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      responses.add(this);
    }
  }

  private pendingBytes(): number {
    let n = 0;
    for (const p of this.out) n += p.length;
    return n;
  }

  /** One write for everything queued in this turn (small pieces copied together, large ones gathered); WriteBatch calls it at the turn's end. */
  flush(): void {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    const out = this.out;
    const socket = this.sink.socket;
    if (out.length === 0 || socket.destroyed) return;
    this.out = [];
    if (out.length === 1) {
      const p = out[0];
      if (typeof p === 'string') socket.write(p, 'latin1');
      else socket.write(p);
      return;
    }
    let size = 0;
    for (const p of out) size += typeof p === 'string' ? p.length : p.length;
    if (size > COPY_LIMIT) {
      socket.cork();
      for (const p of out) if (typeof p === 'string') socket.write(p, 'latin1');
      else socket.write(p);
      socket.uncork();
      return;
    }
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of out) at += typeof p === 'string' ? buf.write(p, at, 'latin1') : p.copy(buf, at);
    socket.write(buf);
  }
}

/** Up to this many bytes, the pieces of a flush are copied into one buffer (one plain write). */
const COPY_LIMIT = 16 * 1024;

function emitEnded(res: FastH1Response): void {
  res.emit('finish');
  res.closed();
}

/** Responses with bytes queued in this turn. */
const responses = new WriteBatch<FastH1Response>();

/** Whether the last appendHeaders() saw a content-length (one module-level flag, no closure per call). */
let sawLength = false;

/** `name: value\r\n` lines; connection, transfer-encoding and date are the writer's own. */
function appendHeaders(headers: Record<string, HeaderValue>): string {
  let text = '';
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'content-length') sawLength = true;
    if (lower === 'connection' || lower === 'transfer-encoding' || lower === 'date') continue;
    if (Array.isArray(v)) for (const x of v) text += `${name}: ${x}\r\n`;
    else text += `${name}: ${String(v)}\r\n`;
  }
  return text;
}
