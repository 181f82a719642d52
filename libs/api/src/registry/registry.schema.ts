import { z } from 'zod';

/**
 * The registry's data model, shared by every client (REST, NATS, gRPC, pilot, weftctl).
 * Input schemas (`*Spec`, `*Request`) validate what callers send; the stored shapes (`Service`,
 * `Instance`) add the fields the registry owns (revision, health, timestamps).
 */

/** Kubernetes DNS-1123 label: namespaces, service names, port names. Safe inside a NATS subject token. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label ([a-z0-9-], starting and ending alphanumeric)');

export const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i, 'must be a DNS host name');

export const instanceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

export const address = z.union([z.ipv4(), z.ipv6(), hostName], { message: 'must be an IPv4/IPv6 address or a host name' });

const labelKey = z
  .string()
  .min(1)
  .max(317)
  .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a Kubernetes label key');
const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a Kubernetes label value');
export const labels = z.record(labelKey, labelValue);

export const portNumber = z.number().int().min(1).max(65535);

/** Protocols of a service port; Istio's upper-case spellings (HTTP, HTTP2, GRPC, TCP) are accepted. */
export const protocol = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(['http', 'http2', 'grpc', 'tcp']),
);
export type Protocol = z.output<typeof protocol>;

export const servicePort = z.object({
  name: dnsLabel,
  number: portNumber,
  protocol,
});
export type ServicePort = z.output<typeof servicePort>;

const seconds = (min: number, max: number) => z.number().min(min).max(max);

/**
 * Central (registry-side) health check of every instance of a service, configured the way Consul and
 * Envoy do: probe kind, interval, timeout, consecutive healthy/unhealthy thresholds.
 */
export const healthCheck = z
  .object({
    type: z.enum(['http', 'tcp']),
    /** Port to probe: a service port name or an instance port number; default the service's first port. */
    port: z.union([portNumber, dnsLabel]).nullable().default(null),
    /** HTTP only: request path. */
    path: z.string().startsWith('/').max(1024).default('/healthz'),
    intervalSeconds: seconds(0.1, 3600).default(10),
    timeoutSeconds: seconds(0.05, 60).default(1),
    healthyThreshold: z.number().int().min(1).max(100).default(2),
    unhealthyThreshold: z.number().int().min(1).max(100).default(3),
    /** HTTP only: status ranges counted as passing (inclusive). Default 200-299. */
    expectedStatuses: z
      .array(z.object({ start: z.number().int().min(100).max(599), end: z.number().int().min(100).max(599) }))
      .min(1)
      .default([{ start: 200, end: 299 }]),
  })
  .refine((h) => h.timeoutSeconds <= h.intervalSeconds, {
    message: 'timeoutSeconds must not exceed intervalSeconds',
    path: ['timeoutSeconds'],
  });
export type HealthCheck = z.output<typeof healthCheck>;

export const source = z.enum(['api', 'static']);
export type Source = z.output<typeof source>;

/** What a caller sends to create or replace a service. */
export const serviceSpec = z.object({
  namespace: dnsLabel,
  name: dnsLabel,
  /** Host names clients use; default `<name>.<namespace>.svc.cluster.local`. */
  hosts: z.array(hostName).max(64).default([]),
  ports: z.array(servicePort).min(1).max(64),
  labels: labels.default({}),
  healthCheck: healthCheck.nullable().default(null),
});
export type ServiceSpec = z.output<typeof serviceSpec>;
export type ServiceSpecInput = z.input<typeof serviceSpec>;

export const service = serviceSpec.extend({
  source,
  /** Monotonic per-service revision: bumped by every change to the service or its instances. */
  revision: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Service = z.output<typeof service>;

/** What a caller sends to register (create or replace) an instance. */
export const instanceSpec = z.object({
  id: instanceId,
  address,
  /** Instance port per service port name; a service port absent here is served on its own number. */
  ports: z.record(dnsLabel, portNumber).default({}),
  labels: labels.default({}),
  /** Load-balancing weight (Envoy endpoint weight). */
  weight: z.number().int().min(1).max(1_000_000).default(1),
  /** `region/zone/subzone`, as Istio's WorkloadEntry locality. */
  locality: z.string().max(255).nullable().default(null),
  metadata: z.record(z.string().max(253), z.string().max(4096)).default({}),
  /** Seconds without a heartbeat before the instance is marked unhealthy; null: no TTL. */
  ttlSeconds: seconds(0.1, 86400).nullable().default(30),
  /** Seconds an instance stays unhealthy (TTL expired) before it is removed. */
  graceSeconds: seconds(0, 86400).default(60),
  /** Draining instances stay listed but take no new traffic (Envoy DRAINING). */
  draining: z.boolean().default(false),
});
export type InstanceSpec = z.output<typeof instanceSpec>;
export type InstanceSpecInput = z.input<typeof instanceSpec>;

export const healthStatus = z.enum(['healthy', 'unhealthy', 'draining']);
export type HealthStatus = z.output<typeof healthStatus>;

export const instance = instanceSpec.extend({
  namespace: dnsLabel,
  service: dnsLabel,
  source,
  /** Effective status: draining if draining, else unhealthy if the TTL expired or the probe fails. */
  status: healthStatus,
  ttl: z.enum(['passing', 'expired', 'none']),
  probe: z.enum(['passing', 'failing', 'unknown', 'none']),
  registeredAt: z.number().int(),
  lastHeartbeat: z.number().int(),
  updatedAt: z.number().int(),
});
export type Instance = z.output<typeof instance>;

/** Effective health from the instance's parts: one rule, used by the store and every reader. */
export function effectiveStatus(i: Pick<Instance, 'draining' | 'ttl' | 'probe'>): HealthStatus {
  if (i.draining) return 'draining';
  if (i.ttl === 'expired' || i.probe === 'failing') return 'unhealthy';
  return 'healthy';
}

export function defaultHosts(namespace: string, name: string): string[] {
  return [`${name}.${namespace}.svc.cluster.local`];
}
