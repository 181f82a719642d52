import type { Socket } from 'node:net';
import { HTTPParser, type HttpParserInstance } from '../upstream/http-parser';
import { headersOf, headText } from './fast-h1-headers';
import { FastH1Request, type FastRequestSource } from './fast-h1-request';
import { FastH1Response, type FastResponseSink } from './fast-h1-response';
import { refusalText } from './refusal';

/** node:http's test for a 100-continue expectation. */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

const METHODS = (require('node:_http_common') as { methods: string[] }).methods;

/** What the listener gives a fast connection. */
export interface FastH1Owner {
  readonly maxHeaderSize: number;
  readonly isDraining: boolean;
  onFastRequest(req: FastH1Request, res: FastH1Response): void;
  /** A response handed over by onFastRequest is over (ended or cut): once per response. */
  onFastResponseClosed(res: FastH1Response): void;
  /** Hands the connection to node:http (upgrades): the socket, with `replay` unshifted. */
  handOver(socket: Socket, replay: Buffer): void;
  onFastClosed(conn: FastH1Connection): void;
}

export interface FastH1Timeouts {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly keepAliveMs: number;
}

/**
 * The HTTP/1.1 fast path of a downstream connection: node's llhttp (strict, as node:http runs it)
 * parses the socket directly; each request becomes a FastH1Request/FastH1Response pair handed to the
 * route stage like any other. Pipelined requests are answered in order, one at a time (a request
 * parsed while another is answered waits, and the socket is paused). Malformed input is answered
 * 400/431 (never inside a response under way) and closes the connection. Upgrades (WebSocket, h2c
 * offers) and CONNECT go to node:http with the head replayed.
 */
export class FastH1Connection implements FastRequestSource, FastResponseSink {
  private readonly parser: HttpParserInstance;
  private parsing: FastH1Request | null = null;
  private current: FastH1Response | null = null;
  private readonly waiting: [FastH1Request, FastH1Response][] = [];
  private partialRaw: string[] | null = null;
  private partialUrl = '';
  /** When the request being parsed began (ms; 0: between requests) and whether its head is complete. */
  private requestStart = 0;
  private headComplete = false;
  private idleSince: number;
  private bodyPaused = false;
  private pipelinePaused = false;
  private upgrade: Buffer | null = null;
  /** The last response that ended: its bytes may still wait for the turn's batched write (FastH1Response.flush). */
  private ended: FastH1Response | null = null;
  private closing = false;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly owner: FastH1Owner,
  ) {
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.REQUEST, {}, owner.maxHeaderSize, 0);
    parser[HTTPParser.kOnHeaders] = this.onPartialHead.bind(this);
    parser[HTTPParser.kOnHeadersComplete] = this.onHead.bind(this);
    parser[HTTPParser.kOnBody] = this.onBody.bind(this);
    parser[HTTPParser.kOnMessageComplete] = this.onMessageComplete.bind(this);
    this.parser = parser;
    this.idleSince = performance.now();
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.once('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    if (this.upgrade !== null) {
      this.upgrade = Buffer.concat([this.upgrade, chunk]);
      return;
    }
    if (this.requestStart === 0) this.requestStart = performance.now();
    const r = this.parser.execute(chunk);
    // Not `instanceof Error`: the binding's errors may come from another realm (jest's sandbox).
    if (typeof r !== 'number') {
      const code = (r as Error & { code?: string }).code ?? 'malformed request';
      return this.refuse(code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, code);
    }
    if (this.upgrade !== null) this.upgradeWith(chunk.subarray(r));
  };

  private onPartialHead(raw: string[], url: string): void {
    this.partialRaw = this.partialRaw === null ? raw : this.partialRaw.concat(raw);
    this.partialUrl += url;
  }

  private onHead(_major: number, minor: number, rawIn: string[] | undefined, method: number, urlIn: string | undefined, _s: unknown, _t: unknown, upgrade: boolean, keepAlive: boolean): number {
    const raw = rawIn ?? this.partialRaw ?? [];
    const url = urlIn ?? this.partialUrl;
    this.partialRaw = null;
    this.partialUrl = '';
    this.headComplete = true;
    // Refused already (the parser goes on through the rest of its chunk): nothing more is served.
    if (this.closing) return 0;
    const name = METHODS[method] ?? 'GET';
    if (upgrade) {
      // Replayed to node:http once the connection is quiet (it answers CONNECT, declines h2c, proxies WebSocket).
      this.upgrade = Buffer.from(headText(name, url, minor, raw), 'latin1');
      return 0;
    }
    const headers = headersOf(raw);
    // node:http's requireHostHeader: an HTTP/1.1 request must name its host.
    if (minor >= 1 && headers.host === undefined) {
      this.refuse(400, 'missing Host header');
      return 0;
    }
    if (minor >= 1 && headers.expect !== undefined && !this.expectation(headers.expect as string)) return 0;
    const req = new FastH1Request(name, url, minor, raw, headers, this.socket, this);
    const res = new FastH1Response(this, name, minor === 0, keepAlive && !this.owner.isDraining);
    this.parsing = req;
    if (this.current === null) this.start(req, res);
    else {
      this.waiting.push([req, res]);
      this.setPaused('pipeline', true);
    }
    return 0;
  }

  /** Expect: 100-continue is answered at once; any other expectation 417 and close (node:http's answers). */
  private expectation(expect: string): boolean {
    if (CONTINUE.test(expect)) {
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
      return true;
    }
    this.closing = true;
    this.parsing?.abort();
    this.flushEnded();
    if (this.current === null) this.socket.end('HTTP/1.1 417 Expectation Failed\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', 'latin1');
    else this.socket.destroy();
    return false;
  }

  private onBody(chunk: Buffer): void {
    this.parsing?.push(chunk);
  }

  private onMessageComplete(): void {
    const req = this.parsing;
    this.parsing = null;
    this.requestStart = 0;
    this.headComplete = false;
    req?.finish();
  }

  private start(req: FastH1Request, res: FastH1Response): void {
    this.current = res;
    res.started = true;
    this.owner.onFastRequest(req, res);
  }

  /** FastResponseSink: the response ended; the next pipelined request starts, or the connection idles or closes. */
  responseDone(res: FastH1Response, keepAlive: boolean): void {
    if (res !== this.current) return;
    this.current = null;
    this.ended = res;
    if (!keepAlive || this.owner.isDraining) {
      this.closing = true;
      this.parsing?.abort();
      // What the response queued goes out first; the socket closes once it is flushed (ServerResponse does the same).
      this.flushEnded();
      (this.socket as Socket & { destroySoon(): void }).destroySoon();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      if (this.waiting.length === 0) this.setPaused('pipeline', false);
      return this.start(next[0], next[1]);
    }
    if (this.upgrade !== null && this.parsing === null) return this.upgradeWith(Buffer.alloc(0));
    this.idleSince = performance.now();
  }

  private upgradeWith(rest: Buffer): void {
    if (this.current !== null) {
      // A response is still under way: the upgrade waits for it (nothing more is read meanwhile).
      this.upgrade = Buffer.concat([this.upgrade as Buffer, rest]);
      this.setPaused('pipeline', true);
      return;
    }
    const replay = rest.length === 0 ? (this.upgrade as Buffer) : Buffer.concat([this.upgrade as Buffer, rest]);
    this.upgrade = null;
    this.closing = true;
    this.detach();
    this.flushEnded();
    this.owner.handOver(this.socket, replay);
  }

  /** FastResponseSink: the response emitted 'close'. */
  responseClosed(res: FastH1Response): void {
    // Pipelined requests still waiting were never handed over: nothing to report for them.
    if (res.started) this.owner.onFastResponseClosed(res);
  }

  pauseReading(): void {
    this.setPaused('body', true);
  }

  resumeReading(): void {
    this.setPaused('body', false);
  }

  private setPaused(why: 'body' | 'pipeline', paused: boolean): void {
    if (why === 'body') this.bodyPaused = paused;
    else this.pipelinePaused = paused;
    if (this.closed) return;
    if (this.bodyPaused || this.pipelinePaused) this.socket.pause();
    else this.socket.resume();
  }

  /** Answers a request the parser refused, unless a response is under way (then only cuts), and closes. */
  refuse(status: 400 | 408 | 431, why: string): void {
    this.closing = true;
    this.parsing?.abort();
    const busy = this.current !== null && this.current.headersSent;
    this.flushEnded();
    if (!busy && this.socket.writable) this.socket.end(refusalText(status, why), 'latin1');
    this.socket.destroy();
  }

  /** Periodic check (the listener's sweep): headers and request deadlines, idle keep-alive. */
  checkTimeouts(now: number, t: FastH1Timeouts): void {
    if (this.closed || this.closing) return;
    if (this.requestStart > 0) {
      const age = now - this.requestStart;
      if ((!this.headComplete && t.headersMs > 0 && age > t.headersMs) || (t.requestMs > 0 && age > t.requestMs)) this.refuse(408, 'request timeout');
      return;
    }
    if (this.current === null && t.keepAliveMs > 0 && now - this.idleSince > t.keepAliveMs) this.destroy();
  }

  /** Draining: an idle connection closes now; a busy one after its response. */
  drain(): void {
    if (this.current === null && this.parsing === null) this.destroy();
  }

  get idle(): boolean {
    return this.current === null && this.parsing === null && this.waiting.length === 0;
  }

  /** Cuts the connection (after writing what an ended response still holds). */
  destroy(): void {
    this.flushEnded();
    this.socket.destroy();
  }

  /** Responses are written once per event-loop turn: before the socket is closed, cut or handed over, the last one goes out. */
  private flushEnded(): void {
    const res = this.ended;
    this.ended = null;
    res?.flush();
  }

  private detach(): void {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('close', this.onClose);
    this.parser.free();
    this.owner.onFastClosed(this);
  }

  private readonly onClose = (): void => {
    this.closed = true;
    this.parsing?.abort();
    this.current?.connectionClosed();
    for (const [req, res] of this.waiting.splice(0)) {
      req.abort();
      res.connectionClosed();
    }
    this.detach();
  };
}
