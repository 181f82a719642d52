import {
  defaultHosts,
  matchesSelector,
  parseLabelSelector,
  type Instance,
  type InstanceRef,
  type ListInstancesRequest,
  type RegisterRequest,
  type Service,
  type ServiceRef,
  type ServiceSpec,
  type Source,
} from '@weft/api';
import { WeftError, type Logger } from '@weft/shared';
import type { RegistryStore, StoreChange } from '../store/registry.store';
import type { EventPublisher } from '../events/event-publisher';
import type { RegistryMetrics } from './registry.metrics';

/**
 * The registry's service layer: REST, NATS and gRPC edges validate their input and call this; it
 * changes state through the store and publishes one event per change.
 */
export class RegistryService {
  constructor(
    private readonly store: RegistryStore,
    private readonly events: EventPublisher,
    private readonly metrics: RegistryMetrics,
    private readonly log: Logger,
  ) {}

  async upsertService(spec: ServiceSpec, source: Source = 'api'): Promise<Service> {
    const full: ServiceSpec = spec.hosts.length > 0 ? spec : { ...spec, hosts: defaultHosts(spec.namespace, spec.name) };
    const { changed, service, instanceChanges } = await this.store.upsertService(full, source);
    if (changed) {
      this.emit(
        { type: 'service.upserted', namespace: spec.namespace, service: spec.name, revision: service.revision, instance: null, serviceState: service },
        source,
      );
    }
    for (const c of instanceChanges) this.emit(c, 'health-check-config');
    return instanceChanges.length > 0 ? { ...service, revision: instanceChanges[instanceChanges.length - 1].revision } : service;
  }

  async deleteService(ref: ServiceRef, source: Source = 'api'): Promise<void> {
    const revision = await this.store.deleteService(ref.namespace, ref.name, source);
    this.emit(
      { type: 'service.deleted', namespace: ref.namespace, service: ref.name, revision, instance: null, serviceState: null },
      source,
    );
  }

  async getService(ref: ServiceRef): Promise<Service> {
    const s = await this.store.getService(ref.namespace, ref.name);
    if (s === null) throw notFound(`service ${ref.namespace}/${ref.name} not found`);
    return s;
  }

  listServices(namespace: string | null): Promise<Service[]> {
    return this.store.listServices(namespace);
  }

  /** Registers or replaces an instance; the store refuses unknown services and unknown port names. */
  async register(req: RegisterRequest, source: Source = 'api'): Promise<Instance> {
    const change = await this.store.register(req.namespace, req.service, req.instance, source);
    if (change.revision !== 0) this.emit(change, source);
    return change.instance as Instance;
  }

  async deregister(ref: InstanceRef, source: Source = 'api'): Promise<void> {
    this.emit(await this.store.deregister(ref.namespace, ref.service, ref.id, source), source);
  }

  async heartbeat(ref: InstanceRef): Promise<{ lastHeartbeat: number }> {
    const { lastHeartbeat, change } = await this.store.heartbeat(ref.namespace, ref.service, ref.id);
    this.metrics.heartbeats.inc();
    if (change !== null) this.emit(change, 'heartbeat');
    return { lastHeartbeat };
  }

  async listInstances(req: ListInstancesRequest): Promise<{ revision: number; instances: Instance[] }> {
    const selector = parseLabelSelector(req.selector);
    const snap = await this.store.instances(req.namespace, req.service);
    if (snap === null) throw notFound(`service ${req.namespace}/${req.service} not found`);
    const instances = snap.instances.filter(
      (i) => matchesSelector(selector, i.labels) && (!req.healthyOnly || i.status === 'healthy'),
    );
    return { revision: snap.revision, instances };
  }

  /** Probe verdict from the health checker (the replica that owns the instance). */
  async recordProbe(i: Instance, verdict: 'passing' | 'failing'): Promise<void> {
    const change = await this.store.setProbe(i.namespace, i.service, i.id, verdict, i.registeredAt);
    if (change !== null) this.emit(change, 'probe');
  }

  /** One TTL sweep (run by the sweeper leader); returns how many transitions it made. */
  async sweep(limit = 500): Promise<number> {
    const changes = await this.store.sweep(limit);
    for (const c of changes) this.emit(c, c.type === 'instance.expired' ? 'grace' : 'ttl');
    return changes.length;
  }

  private emit(change: StoreChange, reason: string): void {
    this.metrics.events.inc({ type: change.type });
    this.events.publish(change, reason);
    this.log.debug({ type: change.type, ns: change.namespace, svc: change.service, rev: change.revision, reason }, 'change');
  }
}

function notFound(message: string): WeftError {
  return new WeftError('WEFT_ERR_REGISTRY_NOT_FOUND', 'not-found', message);
}
