import type { Dispatcher } from 'undici';
import { H1Connection, type H1ConnectionOwner } from './h1-connection';
import { H1Exchange, upstreamError } from './h1-exchange';
import type { UpstreamDispatcher, UpstreamRequestOptions } from './upstream-dispatcher';

export interface H1PoolOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  /** Idle keep-alive connections close after this long. */
  readonly keepAliveTimeoutMs: number;
  readonly maxRequestsPerConnection: number | null;
}

/** An upstream's keep-alive hint is trusted minus this margin, so we never race its own close (undici's rule). */
const HINT_MARGIN_MS = 1000;

/**
 * The HTTP/1.1 fast pool of one plaintext upstream host: keep-alive net sockets parsed by llhttp, one
 * request per connection at a time, most recently used idle connection first, requests queued (in
 * order) while `maxConnections` are busy. It speaks undici's dispatch contract, so the router's
 * retries, timeouts and breakers work on it unchanged; it replaces undici's Pool, whose per-request
 * machinery was most of the proxy's upstream CPU.
 */
export class H1Pool implements UpstreamDispatcher, H1ConnectionOwner {
  private readonly idle: H1Connection[] = [];
  private readonly all = new Set<H1Connection>();
  private readonly queue: H1Exchange[] = [];
  /** Connections being opened, each on behalf of one queued exchange. */
  private connecting = 0;
  private closing = false;
  private closeWaiters: (() => void)[] = [];
  private readonly connOptions: { host: string; port: number; connectTimeoutMs: number; maxRequests: number };

  constructor(private readonly options: H1PoolOptions) {
    this.connOptions = {
      host: options.host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
      maxRequests: options.maxRequestsPerConnection ?? Infinity,
    };
  }

  dispatch(opts: UpstreamRequestOptions, handler: Dispatcher.DispatchHandler): boolean {
    const exchange = new H1Exchange(opts, handler);
    if (this.closing) {
      exchange.reject(upstreamError('UND_ERR_DESTROYED', 'the pool is closed'));
      return false;
    }
    const conn = this.takeIdle();
    if (conn !== null) {
      conn.run(exchange, idleTimeoutOf(opts));
      return true;
    }
    this.queue.push(exchange);
    this.grow();
    return true;
  }

  /** The most recently used idle connection that is still open. */
  private takeIdle(): H1Connection | null {
    while (this.idle.length > 0) {
      const conn = this.idle.pop() as H1Connection;
      if (!conn.closed && !conn.socket.destroyed && conn.socket.readable) return conn;
    }
    return null;
  }

  /** Opens a connection when requests wait and the limit allows one more. */
  private grow(): void {
    const waiting = this.queue.length;
    if (waiting <= this.connecting || this.all.size >= this.options.maxConnections) return;
    this.connecting++;
    this.all.add(new H1Connection(this, this.connOptions));
  }

  onConnected(conn: H1Connection): void {
    this.connecting--;
    this.onIdle(conn);
  }

  onIdle(conn: H1Connection): void {
    const next = this.nextWaiting();
    if (next !== null) return conn.run(next, idleTimeoutOf(next.opts));
    if (this.closing) return conn.destroy(null);
    const keepAlive = conn.hintMs > HINT_MARGIN_MS ? Math.min(this.options.keepAliveTimeoutMs, conn.hintMs - HINT_MARGIN_MS) : this.options.keepAliveTimeoutMs;
    conn.socket.setTimeout(keepAlive);
    this.idle.push(conn);
  }

  private nextWaiting(): H1Exchange | null {
    while (this.queue.length > 0) {
      const ex = this.queue.shift() as H1Exchange;
      if (ex.waiting) return ex;
    }
    return null;
  }

  onClosed(conn: H1Connection, err: Error | null): void {
    if (!this.all.delete(conn)) return;
    if (!conn.connected) {
      this.connecting--;
      // A failed connect fails the request it was opened for (the first one waiting).
      const ex = this.nextWaiting();
      if (ex !== null) ex.reject(err ?? upstreamError('UND_ERR_SOCKET', 'connection closed before it was established'));
    } else {
      const i = this.idle.indexOf(conn);
      if (i >= 0) this.idle.splice(i, 1);
    }
    if (!this.closing) this.grow();
    else if (this.all.size === 0) for (const w of this.closeWaiters.splice(0)) w();
  }

  /** Stops taking requests; resolves once the requests in flight are done and every connection is closed. */
  close(): Promise<void> {
    this.closing = true;
    for (const conn of this.idle.splice(0)) conn.destroy(null);
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  destroy(): Promise<void> {
    this.closing = true;
    const err = upstreamError('UND_ERR_DESTROYED', 'the pool was destroyed');
    for (const ex of this.queue.splice(0)) ex.reject(err);
    for (const conn of [...this.all]) conn.destroy(err);
    return Promise.resolve();
  }
}

function idleTimeoutOf(opts: UpstreamRequestOptions): number {
  return opts.headersTimeout ?? opts.bodyTimeout ?? 0;
}
