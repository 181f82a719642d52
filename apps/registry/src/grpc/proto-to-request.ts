import type {
  ProtoHealthCheck,
  ProtoInstanceSpec,
  ProtoListServicesRequest,
  ProtoRegisterRequest,
  ProtoServiceSpec,
  ProtoWatchRequest,
} from './proto-types';

/**
 * Decoded proto messages → the input objects of the zod request schemas (validated by the caller
 * with parseOrThrow). Proto3 cannot tell "unset" from a zero value, so a zero that no valid request
 * carries (weight 0, empty path, interval 0, no expected statuses, empty namespace filter) means
 * "not set" and the schema's default applies. Field paths stay those of the JSON schemas.
 */

function unlessZero<T>(value: T, zero: T): T | undefined {
  return value === zero ? undefined : value;
}

function healthCheckInput(h: ProtoHealthCheck): Record<string, unknown> {
  return {
    type: h.type,
    port: h.portRef === undefined ? null : h[h.portRef],
    path: unlessZero(h.path, ''),
    intervalSeconds: unlessZero(h.intervalSeconds, 0),
    timeoutSeconds: unlessZero(h.timeoutSeconds, 0),
    healthyThreshold: unlessZero(h.healthyThreshold, 0),
    unhealthyThreshold: unlessZero(h.unhealthyThreshold, 0),
    expectedStatuses: h.expectedStatuses.length === 0 ? undefined : h.expectedStatuses,
  };
}

export function serviceSpecInput(m: ProtoServiceSpec): Record<string, unknown> {
  return {
    namespace: m.namespace,
    name: m.name,
    hosts: m.hosts,
    ports: m.ports,
    labels: m.labels,
    healthCheck: m.healthCheck === null ? null : healthCheckInput(m.healthCheck),
  };
}

/** ttl_seconds: unset → default (30 s), 0 → no TTL (null); locality "" → none. */
export function instanceSpecInput(m: ProtoInstanceSpec): Record<string, unknown> {
  return {
    id: m.id,
    address: m.address,
    ports: m.ports,
    labels: m.labels,
    weight: unlessZero(m.weight, 0),
    locality: m.locality === '' ? null : m.locality,
    metadata: m.metadata,
    ttlSeconds: m.ttlSeconds === 0 ? null : m.ttlSeconds,
    graceSeconds: m.graceSeconds,
    draining: m.draining,
  };
}

export function registerInput(m: ProtoRegisterRequest): Record<string, unknown> {
  return {
    namespace: m.namespace,
    service: m.service,
    instance: m.instance === null ? undefined : instanceSpecInput(m.instance),
  };
}

export function listServicesInput(m: ProtoListServicesRequest): Record<string, unknown> {
  return { namespace: m.namespace === '' ? null : m.namespace };
}

export function watchRequestInput(m: ProtoWatchRequest): Record<string, unknown> {
  return { namespace: m.namespace, service: m.service === '' ? null : m.service, sinceRevision: m.sinceRevision };
}
