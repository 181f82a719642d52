import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  REGISTRY_EVENTS_ALL,
  registryEvent,
  registryRpcSubject,
  type Instance,
  type RegistryEvent,
  type RegistryRpcMethod,
  type RpcReply,
  type Service,
} from '@weft/api';
import { backoffDelay, WeftError, type Logger } from '@weft/shared';

export interface ServiceState {
  readonly service: Service;
  readonly instances: readonly Instance[];
}

/** What the adapter feeds (MeshModel implements it). */
export interface ServiceSink {
  replaceServices(states: readonly ServiceState[]): void;
  upsertService(state: ServiceState): void;
  removeService(namespace: string, name: string): void;
}

interface Tracked {
  service: Service;
  instances: Map<string, Instance>;
  revision: number;
}

const decoder = new TextDecoder();

/**
 * Registry → pilot: a full load over the registry's NATS request/reply API, then its change events
 * (`weft.registry.events.>`, every pilot replica hears every event). Events are applied in per-service
 * revision order; a gap (missed event) or a NATS reconnect reloads the affected state from the
 * registry, so the model converges on the registry's truth. Events that arrive during a load are
 * queued and applied after it (those already covered by the loaded revision are dropped).
 */
export class RegistryAdapter {
  private readonly services = new Map<string, Tracked>();
  private subscription: Subscription | null = null;
  private loading: Promise<void> | null = null;
  private queued: RegistryEvent[] = [];
  private closed = false;
  private loaded = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly sink: ServiceSink,
    private readonly log: Logger,
    private readonly subjectPrefix = '',
    private readonly timeoutMs = 5000,
  ) {}

  /**
   * Subscribes and loads everything; resolves once the model holds the registry's state. While no
   * registry answers, retries with backoff (pilot still serves its rules; `loaded` stays false).
   */
  async start(): Promise<void> {
    this.subscription = this.nats.subscribe(`${this.subjectPrefix}${REGISTRY_EVENTS_ALL}`, {
      callback: (err, msg) => (err === null ? this.onMessage(msg.data) : this.log.warn({ err }, 'registry event subscription error')),
    });
    await this.nats.flush();
    void this.watchReconnects();
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.reload();
        this.loaded = true;
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, 250, 5000);
        this.log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, 'registry not reachable yet');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** Whether the registry's state has been loaded once. */
  get ready(): boolean {
    return this.loaded;
  }

  get serviceCount(): number {
    return this.services.size;
  }

  /** Full reload (start, NATS reconnect). Concurrent callers share one load. */
  reload(): Promise<void> {
    if (this.loading === null) {
      this.loading = this.loadAll().finally(() => {
        this.loading = null;
        this.drainQueue();
      });
    }
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    const { services } = await this.rpc<{ services: Service[] }>('listServices', { namespace: null });
    const loaded = await Promise.all(services.map((s) => this.loadInstances(s)));
    this.services.clear();
    for (const t of loaded) if (t !== null) this.services.set(keyOf(t.service.namespace, t.service.name), t);
    this.sink.replaceServices([...this.services.values()].map(stateOf));
    this.log.info({ services: this.services.size }, 'registry state loaded');
  }

  private async loadInstances(service: Service): Promise<Tracked | null> {
    try {
      const r = await this.rpc<{ revision: number; instances: Instance[] }>('listInstances', { namespace: service.namespace, service: service.name });
      return { service, instances: new Map(r.instances.map((i) => [i.id, i])), revision: r.revision };
    } catch (err) {
      if (err instanceof WeftError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  private async reloadOne(namespace: string, name: string): Promise<void> {
    const key = keyOf(namespace, name);
    let service: Service | null = null;
    try {
      service = await this.rpc<Service>('getService', { namespace, name });
    } catch (err) {
      if (!(err instanceof WeftError && err.kind === 'not-found')) throw err;
    }
    const tracked = service === null ? null : await this.loadInstances(service);
    if (tracked === null) {
      if (this.services.delete(key)) this.sink.removeService(namespace, name);
      return;
    }
    this.services.set(key, tracked);
    this.sink.upsertService(stateOf(tracked));
  }

  private onMessage(data: Uint8Array): void {
    let event: RegistryEvent;
    try {
      event = registryEvent.parse(JSON.parse(decoder.decode(data)));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'malformed registry event ignored');
      return;
    }
    if (this.loading !== null) this.queued.push(event);
    else this.apply(event);
  }

  private drainQueue(): void {
    const queued = this.queued;
    this.queued = [];
    for (const e of queued) this.apply(e);
  }

  private apply(event: RegistryEvent): void {
    const key = keyOf(event.namespace, event.service);
    const tracked = this.services.get(key);
    if (tracked !== undefined && event.revision <= tracked.revision) return;
    const next = applyEvent(tracked, event);
    if (next === 'gap') {
      this.reloadOne(event.namespace, event.service).catch((err: unknown) => this.log.warn({ err, key }, 'service reload failed'));
      return;
    }
    if (next === null) {
      if (this.services.delete(key)) this.sink.removeService(event.namespace, event.service);
      return;
    }
    this.services.set(key, next);
    this.sink.upsertService(stateOf(next));
  }

  private async watchReconnects(): Promise<void> {
    for await (const s of this.nats.status()) {
      if (this.closed) return;
      if (s.type !== 'reconnect') continue;
      this.log.info('nats reconnected: reloading registry state');
      this.reload().catch((err: unknown) => this.log.warn({ err }, 'registry reload failed'));
    }
  }

  private async rpc<T>(method: RegistryRpcMethod, payload: unknown): Promise<T> {
    const msg = await this.nats.request(registryRpcSubject(method, this.subjectPrefix), JSON.stringify(payload), { timeout: this.timeoutMs });
    const reply = JSON.parse(decoder.decode(msg.data)) as RpcReply<T>;
    if (reply.ok) return reply.result;
    throw new WeftError(reply.error.code, reply.error.kind as never, `registry ${method}: ${reply.error.message}`);
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
  }
}

/** The service after one event; 'gap' when an event was missed (or the service is unknown); null when deleted. */
function applyEvent(tracked: Tracked | undefined, e: RegistryEvent): Tracked | null | 'gap' {
  if (e.type === 'service.deleted') return null;
  if (e.type === 'service.upserted') {
    if (e.serviceState === null) return 'gap';
    // A new service starts without instances (registration events follow); a known one keeps them.
    if (tracked === undefined) return e.revision === 1 ? { service: e.serviceState, instances: new Map(), revision: e.revision } : 'gap';
    if (e.revision !== tracked.revision + 1) return 'gap';
    return { service: e.serviceState, instances: tracked.instances, revision: e.revision };
  }
  if (tracked === undefined || e.revision !== tracked.revision + 1 || e.instance === null) return 'gap';
  const instances = new Map(tracked.instances);
  if (e.type === 'instance.deregistered' || e.type === 'instance.expired') instances.delete(e.instance.id);
  else instances.set(e.instance.id, e.instance);
  return { service: tracked.service, instances, revision: e.revision };
}

function stateOf(t: Tracked): ServiceState {
  return { service: t.service, instances: [...t.instances.values()] };
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
