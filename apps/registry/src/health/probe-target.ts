import type { HealthCheck, Instance, Service } from '@weft/api';

/** One instance under central health checking, with its check resolved to an address and port. */
export interface ProbeTarget {
  /** `ns/svc/id`: the key rendezvous hashing assigns to a replica. */
  readonly key: string;
  /** The instance as last read (its `probe` state and `registeredAt` guard the verdicts). */
  readonly instance: Instance;
  readonly check: HealthCheck;
  readonly host: string;
  /** Port to probe; null when the check names a port the service does not have. */
  readonly port: number | null;
  /** Changes when the instance is re-registered or what is probed changes: counters start over. */
  readonly fingerprint: string;
}

export function targetKey(namespace: string, service: string, id: string): string {
  return `${namespace}/${service}/${id}`;
}

/**
 * The port a check probes on an instance: a number is an instance port used as is; a name (or null,
 * meaning the service's first port) is a service port, served on the instance's own number for it,
 * or on the service port's number when the instance does not override it.
 */
export function resolvePort(check: HealthCheck, service: Service, instance: Instance): number | null {
  if (typeof check.port === 'number') return check.port;
  const sp = check.port === null ? service.ports[0] : service.ports.find((p) => p.name === check.port);
  if (sp === undefined) return null;
  return instance.ports[sp.name] ?? sp.number;
}

/**
 * Targets of a service's instances, or none when it has no health check. Instances whose probe state
 * is `none` are skipped: they were registered before the service had a check, and the store ignores
 * verdicts for them until they are registered again. Draining instances are probed like the others:
 * their status stays `draining` either way, and their probe state is current if draining is undone.
 */
export function probeTargets(service: Service, instances: readonly Instance[]): ProbeTarget[] {
  const check = service.healthCheck;
  if (!check) return [];
  const checkJson = JSON.stringify(check);
  const out: ProbeTarget[] = [];
  for (const instance of instances) {
    if (instance.probe === 'none') continue;
    const port = resolvePort(check, service, instance);
    out.push({
      key: targetKey(service.namespace, service.name, instance.id),
      instance,
      check,
      host: instance.address,
      port,
      fingerprint: `${instance.registeredAt}|${instance.address}|${port}|${checkJson}`,
    });
  }
  return out;
}
