import type { NatsConnection } from '@nats-io/transport-node';
import { PILOT_RPC_QUEUE, pilotProxyStatusSubject, proxyStatusRequest } from '@weft/api';
import { NatsRpcResponder } from '@weft/data-access';
import { parseOrThrow, type Logger } from '@weft/shared';
import type { StoredProxyStatus } from './status.store';

/** Where the handler reads proxy status (RedisSyncStatusStore: every replica's proxies). */
export interface ProxyStatusSource {
  list(): Promise<readonly StoredProxyStatus[]>;
}

/**
 * `weft.pilot.rpc.proxyStatus` over NATS, in queue group `weft-pilot`: the sync status of every proxy
 * connected to any replica (what `GET /v1/proxies` returns), for the telemetry dashboard and other
 * control-plane callers that speak NATS rather than pilot's REST API.
 */
export class ProxyStatusRpc {
  private readonly responder: NatsRpcResponder<{ proxies: readonly StoredProxyStatus[] }>;

  constructor(nats: NatsConnection, status: ProxyStatusSource, subjectPrefix: string, log: Logger) {
    this.responder = new NatsRpcResponder(nats, {
      subject: pilotProxyStatusSubject(subjectPrefix),
      queue: PILOT_RPC_QUEUE,
      log: log.child({ component: 'proxy-status-rpc' }),
      handle: async (request) => {
        const req = parseOrThrow(proxyStatusRequest, request, 'proxyStatus request');
        const all = await status.list();
        return { proxies: req.namespace === undefined ? all : all.filter((p) => p.node.namespace === req.namespace) };
      },
      failure: { code: 'WEFT_ERR_PILOT_STATUS_UNAVAILABLE', kind: 'unavailable', message: 'proxy status cannot be read', issues: [] },
    });
  }

  start(): Promise<void> {
    return this.responder.start();
  }

  stop(): Promise<void> {
    return this.responder.stop();
  }
}
