import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Match, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { REGISTRY_RPC_METHODS, REGISTRY_RPC_QUEUE, registryRpcSubject, type RegistryRpcMethod, type RpcReply } from '@weft/api';
import { checkBearer, type Logger } from '@weft/shared';
import { Readiness } from '../app/readiness';
import { LOGGER } from '../app/tokens';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryMetrics } from '../registry/registry.metrics';
import { RegistryService } from '../registry/registry.service';
import { decodeRpcPayload, encodeRpcReply, NATS, rpcErrorOf } from '@weft/data-access';
import { MUTATING_RPC_METHODS, rpcHandlers, type RpcHandlers } from './rpc-handlers';

/**
 * The registry's NATS request/reply edge: one queue-group subscription per method on
 * `<prefix>weft.registry.rpc.<method>`, so each request is served by exactly one replica. Plain JSON
 * in and out (@weft/data-access nats-rpc.ts), not @nestjs/microservices' framing, so the proxy and SDKs in other
 * languages can call it. Ready once the subscriptions reached the server; drained on shutdown.
 */
@Injectable()
export class NatsRpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly handlers: RpcHandlers;
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private subscribed = false;

  constructor(
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(RegistryService) registry: RegistryService,
    @Inject(RegistryMetrics) private readonly metrics: RegistryMetrics,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'nats-rpc' });
    this.handlers = rpcHandlers(registry);
    readiness.register('nats-rpc', () => this.subscribed && !this.nats.isClosed());
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const method of REGISTRY_RPC_METHODS) {
      const subject = registryRpcSubject(method, this.config.subjectPrefix);
      const callback = (err: Error | null, msg: Msg): void => this.onMessage(method, err, msg);
      this.subscriptions.push(this.nats.subscribe(subject, { queue: REGISTRY_RPC_QUEUE, callback }));
    }
    await this.nats.flush();
    this.subscribed = true;
    this.log.info({ methods: REGISTRY_RPC_METHODS.length, queue: REGISTRY_RPC_QUEUE }, 'rpc subscriptions ready');
  }

  private onMessage(method: RegistryRpcMethod, err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.log.warn({ err, method }, 'rpc subscription error');
      return;
    }
    const served: Promise<void> = this.serve(method, msg).finally(() => this.inFlight.delete(served));
    this.inFlight.add(served);
  }

  private async serve(method: RegistryRpcMethod, msg: Msg): Promise<void> {
    const reply = await this.call(method, msg);
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(encodeRpcReply(reply));
    } catch (err) {
      this.log.warn({ err, method }, 'rpc reply failed');
    }
  }

  private async call(method: RegistryRpcMethod, msg: Msg): Promise<RpcReply<unknown>> {
    try {
      if (MUTATING_RPC_METHODS.has(method)) {
        checkBearer(this.config.token, msg.headers?.get('authorization', Match.IgnoreCase));
      }
      const result = await this.handlers[method](decodeRpcPayload(msg.data));
      this.metrics.requests.inc({ api: 'nats', method, outcome: 'ok' });
      return { ok: true, result };
    } catch (err) {
      const error = rpcErrorOf(err);
      this.metrics.requests.inc({ api: 'nats', method, outcome: error.kind });
      if (error.kind === 'internal' || error.kind === 'unavailable') this.log.error({ err, method }, 'rpc failed');
      return { ok: false, error };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribed = false;
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    await Promise.all(this.inFlight);
  }
}
