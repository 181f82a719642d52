import { PassThrough, type Readable } from 'node:stream';
import type { RequestContext } from '../listener/request-context';

/** What the body needs from a downstream request (a node:http/http2 request or a FastH1Request). */
export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'end' | 'aborted' | 'error', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * The downstream request body, streamed to the current upstream attempt while a copy is kept (up to
 * `limit` bytes) so that a retry or a mirror can replay it — Envoy's retry buffering. When the body
 * outgrows the limit the copy is dropped and the request is no longer retriable; memory stays bounded.
 */
export class RequestBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private current: PassThrough | null = null;
  /** False once the body is too large to replay. */
  replayable = true;
  /** True once the downstream aborted mid-body. */
  aborted = false;

  constructor(
    private readonly source: BodySource,
    private readonly limit: number,
    /** Counts the body bytes (istio_request_bytes, access log). */
    private readonly ctx: RequestContext,
  ) {
    source.on('data', (c: Buffer) => this.onData(c));
    source.once('end', () => this.onEnd());
    source.once('aborted', () => this.onAbort());
    source.once('error', () => this.onAbort());
  }

  private onData(c: Buffer): void {
    this.ctx.bytesReceived += c.length;
    if (this.replayable) {
      this.size += c.length;
      if (this.size > this.limit) {
        this.replayable = false;
        this.chunks = [];
      } else {
        this.chunks.push(c);
      }
    }
    const out = this.current;
    if (out !== null && !out.write(c)) {
      this.source.pause();
      out.once('drain', () => this.source.resume());
    }
  }

  private onEnd(): void {
    this.ended = true;
    this.current?.end();
  }

  private onAbort(): void {
    if (this.ended) return;
    this.aborted = true;
    this.current?.destroy(new Error('downstream aborted the request body'));
  }

  /** A fresh stream for one upstream attempt: the buffered copy, then whatever arrives next. */
  stream(): Readable {
    const prev = this.current;
    if (prev !== null) prev.destroy();
    const out = new PassThrough();
    this.current = out;
    for (const c of this.chunks) out.write(c);
    if (this.ended) out.end();
    return out;
  }

  /** Calls back once the body has ended, with the whole copy (null when it was too large or aborted). */
  whenComplete(cb: (body: Buffer | null) => void): void {
    if (this.ended || this.aborted) return cb(this.buffered);
    this.source.once('end', () => cb(this.buffered));
  }

  /** A whole copy for a mirror, when the body is complete and buffered; null otherwise. */
  get buffered(): Buffer | null {
    return this.ended && this.replayable ? Buffer.concat(this.chunks) : null;
  }
}

/** Whether a request carries a body (RFC 9112 §6: Transfer-Encoding or a non-zero Content-Length; h2: not end of stream). */
export function hasBody(headers: Readonly<Record<string, string | string[] | undefined>>, h2EndStream: boolean | null): boolean {
  if (h2EndStream !== null) return !h2EndStream;
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  return cl !== undefined && cl !== '0';
}
