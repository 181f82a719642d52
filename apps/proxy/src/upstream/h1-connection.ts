import { connect, type Socket } from 'node:net';
import { HTTPParser } from './http-parser';
import { upstreamError, type H1Exchange } from './h1-exchange';

/** What a connection tells its pool. */
export interface H1ConnectionOwner {
  onConnected(conn: H1Connection): void;
  onIdle(conn: H1Connection): void;
  onClosed(conn: H1Connection, err: Error | null): void;
}

export interface H1ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly maxRequests: number;
}

const KEEP_ALIVE_HINT = /timeout=(\d+)/i;

/** The read buffer of every upstream connection (see the constructor). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * One keep-alive HTTP/1.1 connection to an upstream host: a net socket and node's llhttp response
 * parser (the one node:http uses), running one exchange at a time. Fixed shape; the parser callbacks
 * are methods bound once per connection, never per request.
 */
export class H1Connection {
  readonly socket: Socket;
  private readonly parser: InstanceType<typeof HTTPParser>;
  exchange: H1Exchange | null = null;
  connected = false;
  closed = false;
  served = 0;
  /** Idle keep-alive hint from the upstream (`keep-alive: timeout=N`), ms; 0: none. */
  hintMs = 0;
  private connectTimer: NodeJS.Timeout | null = null;
  private status = 0;
  private statusText = '';
  private headers: Record<string, string | string[]> | null = null;
  /** Header or trailer lines delivered before their message's callback (long heads). */
  private pendingRaw: string[] | null = null;
  private keepAlive = true;
  private idleMs = 0;

  constructor(
    private readonly owner: H1ConnectionOwner,
    readonly options: H1ConnectionOptions,
  ) {
    // Reads land in one buffer shared by every upstream connection (reads run one at a time on this
    // thread, and the parser copies what it hands on): no buffer allocated per read.
    this.socket = connect({ host: options.host, port: options.port, noDelay: true, onread: { buffer: READ_BUFFER, callback: this.onRead.bind(this) } });
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.RESPONSE, {}, 0, 0);
    parser[HTTPParser.kOnHeaders] = this.onRawHeaders.bind(this);
    parser[HTTPParser.kOnHeadersComplete] = this.onHeadersComplete.bind(this);
    parser[HTTPParser.kOnBody] = this.onBody.bind(this);
    parser[HTTPParser.kOnMessageComplete] = this.onMessageComplete.bind(this);
    this.parser = parser;
    this.socket.once('connect', this.onConnect.bind(this));
    this.socket.on('error', this.onError.bind(this));
    this.socket.once('end', this.onEnd.bind(this));
    this.socket.once('close', this.onClose.bind(this));
    this.socket.on('timeout', this.onTimeout.bind(this));
    if (options.connectTimeoutMs > 0) this.connectTimer = setTimeout(onConnectTimeout, options.connectTimeoutMs, this);
  }

  private onConnect(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.connected = true;
    this.owner.onConnected(this);
  }

  connectTimedOut(): void {
    this.connectTimer = null;
    this.destroy(upstreamError('UND_ERR_CONNECT_TIMEOUT', `connect timeout to ${this.options.host}:${this.options.port}`));
  }

  /** Runs one exchange on this (connected, idle) connection. */
  run(exchange: H1Exchange, idleTimeoutMs: number): void {
    this.exchange = exchange;
    this.served++;
    this.idleMs = idleTimeoutMs;
    if (this.socket.isPaused()) this.socket.resume();
    exchange.start(this);
  }

  /** The request is written: from now on silence from the upstream is bounded by the idle timeout. */
  requestSent(exchange: H1Exchange): void {
    // The idle timeout watches the response (from the end of the request on), as undici's did;
    // 0 takes the idle keep-alive timer off.
    if (this.exchange === exchange) this.socket.setTimeout(this.idleMs);
  }

  /** Called by the exchange once request and response are both complete. */
  exchangeDone(exchange: H1Exchange): void {
    if (this.exchange !== exchange) return;
    this.exchange = null;
    if (!this.keepAlive || this.served >= this.options.maxRequests) return this.destroy(null);
    // onIdle arms the keep-alive timer, or the next exchange runs (and re-arms at its request's end).
    this.owner.onIdle(this);
  }

  private onRead(size: number, buffer: Uint8Array): boolean {
    const r = this.parser.execute((size === buffer.length ? buffer : buffer.subarray(0, size)) as Buffer);
    // Not `instanceof Error`: the binding's errors may come from another realm (jest's sandbox).
    if (typeof r !== 'number') this.destroy(upstreamError('UND_ERR_SOCKET', `malformed upstream response: ${(r as Error & { code?: string }).code ?? r.message}`));
    return true;
  }

  private onRawHeaders(headers: string[]): void {
    this.pendingRaw = this.pendingRaw === null ? headers : this.pendingRaw.concat(headers);
  }

  private onHeadersComplete(_major: number, _minor: number, raw: string[] | undefined, _m: unknown, _u: unknown, status: number, statusText: string, _upgrade: boolean, keepAlive: boolean): number {
    const list = raw ?? this.pendingRaw ?? [];
    this.pendingRaw = null;
    this.keepAlive = keepAlive;
    const ex = this.exchange;
    if (status < 200) return 0; // 1xx: informational, the real head follows
    this.status = status;
    this.statusText = statusText;
    const headers = headerObject(list);
    this.headers = headers;
    const hint = headers['keep-alive'];
    if (typeof hint === 'string') {
      const m = KEEP_ALIVE_HINT.exec(hint);
      this.hintMs = m === null ? 0 : Number(m[1]) * 1000;
    }
    if (ex === null) return 0;
    ex.head(status, headers, statusText);
    // HEAD: the response has no body whatever its headers announce.
    return ex.opts.method === 'HEAD' ? 1 : 0;
  }

  private onBody(chunk: Buffer): void {
    this.exchange?.data(chunk);
  }

  private onMessageComplete(): void {
    if (this.status < 200 && this.status !== 0) return;
    const trailers = this.pendingRaw === null ? EMPTY : headerObject(this.pendingRaw);
    this.pendingRaw = null;
    const ex = this.exchange;
    this.status = 0;
    this.headers = null;
    if (ex !== null && ex.responding) ex.end(trailers);
  }

  private onEnd(): void {
    // A close-delimited body ends here; anything else unfinished is a reset.
    if (this.exchange !== null && this.exchange.responding) this.parser.finish();
    this.destroy(null);
  }

  private onError(err: Error): void {
    this.destroy(err);
  }

  private onClose(): void {
    this.destroy(null);
  }

  /** Closes the connection; an exchange still running fails with `err` (or "other side closed"). */
  destroy(err: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.socket.destroy();
    const ex = this.exchange;
    this.exchange = null;
    if (ex !== null && !ex.finished) ex.fail(err ?? upstreamError('UND_ERR_SOCKET', 'other side closed'));
    this.parser.free();
    this.owner.onClosed(this, err);
  }

  onTimeout(): void {
    const ex = this.exchange;
    if (ex === null) return this.destroy(null);
    // The keep-alive timer of the previous idle period, while the request is still being written: not ours.
    if (!ex.requestDone) return;
    const code = ex.responding ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
    this.destroy(upstreamError(code, ex.responding ? 'body timeout' : 'headers timeout'));
  }
}

const EMPTY: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

function onConnectTimeout(conn: H1Connection): void {
  conn.connectTimedOut();
}

/** Raw `[name, value, …]` → lower-cased names, repeated headers as arrays (undici's shape). */
function headerObject(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const prev = out[name];
    if (prev === undefined) out[name] = raw[i + 1];
    else if (Array.isArray(prev)) prev.push(raw[i + 1]);
    else out[name] = [prev, raw[i + 1]];
  }
  return out;
}
