import type { AdsTestStream, StreamEnd } from './ads-test-client';

/** The part of @weft/testing's Collector a session uses (tests pass a Collector). */
export interface ResponseCollector<T> {
  readonly items: readonly T[];
  readonly push: (item: T) => void;
  until(pred: (items: readonly T[]) => boolean, options?: { timeoutMs?: number; what?: string }): Promise<readonly T[]>;
  count(n: number, options?: { timeoutMs?: number; what?: string }): Promise<readonly T[]>;
}

/**
 * A test client's ADS stream plus everything it received: the node goes on the first request only,
 * `next` walks the responses in order (waiting with a deadline), `all` lists them by type.
 */
export class AdsSession<Req extends { node?: unknown }, Res extends { nonce: string; type_url: string }> {
  readonly got: ResponseCollector<Res>;
  readonly ended: ResponseCollector<StreamEnd>;
  readonly stream: AdsTestStream<Req, Res>;
  private readonly node: Req['node'];
  private readonly timeoutMs: number;
  private cursor: number;
  private sentNode: boolean;

  constructor(
    open: (onResponse: (r: Res) => void, onEnd: (e: StreamEnd) => void) => AdsTestStream<Req, Res>,
    node: Req['node'],
    collectors: { got: ResponseCollector<Res>; ended: ResponseCollector<StreamEnd>; timeoutMs: number },
  ) {
    this.got = collectors.got;
    this.ended = collectors.ended;
    this.timeoutMs = collectors.timeoutMs;
    this.stream = open(this.got.push, this.ended.push);
    this.node = node;
    this.cursor = 0;
    this.sentNode = false;
  }

  send(request: Req): void {
    const withNode = this.sentNode ? request : { ...request, node: this.node };
    this.sentNode = true;
    this.stream.send(withNode);
  }

  /** The next response (after those already taken) matching `pred`; earlier non-matching ones are skipped. */
  async next(pred: (r: Res) => boolean, what: string): Promise<Res> {
    const from = this.cursor;
    const items = await this.got.until((all) => all.slice(from).some(pred), { timeoutMs: this.timeoutMs, what });
    const index = items.findIndex((r, i) => i >= from && pred(r));
    this.cursor = index + 1;
    return items[index] as Res;
  }

  all(typeUrl: string): Res[] {
    return this.got.items.filter((r) => r.type_url === typeUrl);
  }
}
