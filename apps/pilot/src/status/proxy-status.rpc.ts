import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { PILOT_RPC_QUEUE, pilotProxyStatusSubject, proxyStatusRequest, type RpcReply } from '@weft/api';
import { isWeftError, parseOrThrow, WeftError, type Logger } from '@weft/shared';
import type { StoredProxyStatus } from './status.store';

/** Where the handler reads proxy status (RedisSyncStatusStore: every replica's proxies). */
export interface ProxyStatusSource {
  list(): Promise<readonly StoredProxyStatus[]>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(data: Uint8Array): unknown {
  if (data.length === 0) return {};
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch (cause) {
    throw new WeftError('WEFT_ERR_API_MALFORMED_REQUEST', 'invalid-argument', 'invalid request: payload must be UTF-8 JSON', { cause });
  }
}

/** A bad request answers with its field issues; anything else is the status store (Redis) failing. */
function errorReply(err: unknown): RpcReply<never> {
  if (isWeftError(err) && err.kind !== 'internal') {
    return { ok: false, error: { code: err.code, kind: err.kind, message: err.message, issues: err.issues.map((i) => ({ ...i })) } };
  }
  return { ok: false, error: { code: 'WEFT_ERR_PILOT_STATUS_UNAVAILABLE', kind: 'unavailable', message: 'proxy status cannot be read', issues: [] } };
}

/**
 * `weft.pilot.rpc.proxyStatus` over NATS, in queue group `weft-pilot`: the sync status of every proxy
 * connected to any replica (what `GET /v1/proxies` returns), for the telemetry dashboard and other
 * control-plane callers that speak NATS rather than pilot's REST API.
 */
export class ProxyStatusRpc {
  private readonly log: Logger;
  private subscription: Subscription | null = null;

  constructor(
    private readonly nats: NatsConnection,
    private readonly status: ProxyStatusSource,
    private readonly subjectPrefix: string,
    log: Logger,
  ) {
    this.log = log.child({ component: 'proxy-status-rpc' });
  }

  async start(): Promise<void> {
    const subject = pilotProxyStatusSubject(this.subjectPrefix);
    this.subscription = this.nats.subscribe(subject, { queue: PILOT_RPC_QUEUE, callback: (err, msg) => void this.onMessage(err, msg) });
    await this.nats.flush();
    this.log.info({ subject, queue: PILOT_RPC_QUEUE }, 'rpc subscription ready');
  }

  private async onMessage(err: Error | null, msg: Msg): Promise<void> {
    if (err !== null) {
      this.log.warn({ err }, 'rpc subscription error');
      return;
    }
    if (msg.reply === undefined || msg.reply === '') return;
    const reply = await this.call(msg.data);
    try {
      msg.respond(JSON.stringify(reply));
    } catch (e) {
      this.log.warn({ err: e }, 'rpc reply failed');
    }
  }

  private async call(data: Uint8Array): Promise<RpcReply<{ proxies: readonly StoredProxyStatus[] }>> {
    try {
      const req = parseOrThrow(proxyStatusRequest, decode(data), 'proxyStatus request');
      const all = await this.status.list();
      return { ok: true, result: { proxies: req.namespace === undefined ? all : all.filter((p) => p.node.namespace === req.namespace) } };
    } catch (e) {
      if (!isWeftError(e)) this.log.warn({ err: e }, 'proxy status read failed');
      return errorReply(e);
    }
  }

  async stop(): Promise<void> {
    const sub = this.subscription;
    this.subscription = null;
    await sub?.drain().catch(() => undefined);
  }
}
