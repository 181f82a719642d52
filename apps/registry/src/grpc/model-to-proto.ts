import type { HealthCheck, Instance, Service } from '@weft/api';
import type { WatchEvent } from '../watch/watch-event';
import type { ProtoHealthCheck, ProtoInstance, ProtoService, ProtoWatchEvent } from './proto-types';

/** Registry model (zod output types) → proto message objects; the inverse of proto-to-request. */

function healthCheckToProto(h: HealthCheck): ProtoHealthCheck {
  const port = h.port === null ? {} : typeof h.port === 'number' ? { portNumber: h.port } : { portName: h.port };
  return {
    type: h.type,
    ...port,
    path: h.path,
    intervalSeconds: h.intervalSeconds,
    timeoutSeconds: h.timeoutSeconds,
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
    expectedStatuses: h.expectedStatuses,
  };
}

export function serviceToProto(s: Service): ProtoService {
  return {
    spec: {
      namespace: s.namespace,
      name: s.name,
      hosts: s.hosts,
      ports: s.ports,
      labels: s.labels,
      healthCheck: s.healthCheck === null ? null : healthCheckToProto(s.healthCheck),
    },
    source: s.source,
    revision: s.revision,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** ttlSeconds null (no TTL) → 0; locality null → "". */
export function instanceToProto(i: Instance): ProtoInstance {
  return {
    spec: {
      id: i.id,
      address: i.address,
      ports: i.ports,
      labels: i.labels,
      weight: i.weight,
      locality: i.locality ?? '',
      metadata: i.metadata,
      ttlSeconds: i.ttlSeconds ?? 0,
      graceSeconds: i.graceSeconds,
      draining: i.draining,
    },
    namespace: i.namespace,
    service: i.service,
    source: i.source,
    status: i.status,
    ttl: i.ttl,
    probe: i.probe,
    registeredAt: i.registeredAt,
    lastHeartbeat: i.lastHeartbeat,
    updatedAt: i.updatedAt,
  };
}

export function watchEventToProto(e: WatchEvent): ProtoWatchEvent {
  return {
    type: e.type,
    namespace: e.namespace,
    service: e.service,
    revision: e.revision,
    serviceState: e.serviceState === null ? null : serviceToProto(e.serviceState),
    instance: e.instance === null ? null : instanceToProto(e.instance),
    instances: e.instances.map(instanceToProto),
    reason: e.reason,
    at: e.at,
  };
}
