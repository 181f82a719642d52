import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { RpcReply } from '@weft/api';
import { isWeftError, WeftError, type Logger } from '@weft/shared';

/**
 * The plain-JSON wire format of the control plane's NATS request/reply APIs, usable from any language:
 * request = the JSON of the method's request schema (an empty payload means `{}`); reply =
 * `{ok: true, result}` or `{ok: false, error: {code, kind, message, issues}}`.
 */
export type RpcError = Extract<RpcReply<unknown>, { ok: false }>['error'];

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeRpcPayload(data: Uint8Array): unknown {
  if (data.length === 0) return {};
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch (cause) {
    const issue = { path: '(root)', message: 'payload must be UTF-8 JSON' };
    throw new WeftError('WEFT_ERR_API_MALFORMED_REQUEST', 'invalid-argument', `invalid request: ${issue.message}`, {
      issues: [issue],
      cause,
    });
  }
}

const INTERNAL: RpcError = { code: 'WEFT_ERR_INTERNAL', kind: 'internal', message: 'internal error', issues: [] };

/** Public form of an error: WeftErrors as they are (but internal ones), anything else `failure` (opaque). */
export function rpcErrorOf(err: unknown, failure: RpcError = INTERNAL): RpcError {
  if (isWeftError(err) && err.kind !== 'internal') {
    const issues = err.issues.map((i) => ({ path: i.path, message: i.message }));
    return { code: err.code, kind: err.kind, message: err.message, issues };
  }
  return failure;
}

export function encodeRpcReply(reply: RpcReply<unknown>): string {
  return JSON.stringify(reply);
}

export interface NatsRpcResponderOptions<T> {
  readonly subject: string;
  /** Queue group: each request reaches one replica; a dead replica's share moves to the others. */
  readonly queue: string;
  readonly log: Logger;
  /** Answers one request (the decoded payload); a WeftError that is not `internal` is the caller's fault and answered as it is. */
  readonly handle: (request: unknown) => T | Promise<T>;
  /** The reply to any other failure (a store down, a bug), logged; default WEFT_ERR_INTERNAL. */
  readonly failure?: RpcError;
}

/** One request/reply method on NATS with the plain-JSON envelopes above; drained on stop. */
export class NatsRpcResponder<T> {
  private subscription: Subscription | null = null;

  constructor(
    private readonly nats: NatsConnection,
    private readonly o: NatsRpcResponderOptions<T>,
  ) {}

  /** Subscribed and the connection open. */
  get ready(): boolean {
    return this.subscription !== null && !this.nats.isClosed();
  }

  async start(): Promise<void> {
    this.subscription = this.nats.subscribe(this.o.subject, { queue: this.o.queue, callback: (err, msg) => void this.onMessage(err, msg) });
    await this.nats.flush();
    this.o.log.info({ subject: this.o.subject, queue: this.o.queue }, 'rpc subscription ready');
  }

  async stop(): Promise<void> {
    const sub = this.subscription;
    this.subscription = null;
    await sub?.drain().catch(() => undefined);
  }

  private async onMessage(err: Error | null, msg: Msg): Promise<void> {
    if (err !== null) {
      this.o.log.warn({ err, subject: this.o.subject }, 'rpc subscription error');
      return;
    }
    const reply = await this.call(msg.data);
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(encodeRpcReply(reply));
    } catch (e) {
      this.o.log.warn({ err: e, subject: this.o.subject }, 'rpc reply failed');
    }
  }

  private async call(data: Uint8Array): Promise<RpcReply<T>> {
    try {
      return { ok: true, result: await this.o.handle(decodeRpcPayload(data)) };
    } catch (e) {
      if (!isWeftError(e) || e.kind === 'internal') this.o.log.warn({ err: e, subject: this.o.subject }, 'rpc request failed');
      return { ok: false, error: rpcErrorOf(e, this.o.failure) };
    }
  }
}
