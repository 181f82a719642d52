import { Counter, type Registry } from 'prom-client';

/** `weft_proxy_rbac_denied_total{policy}`: one counter per registry, label children resolved at config apply. */
export interface RbacCounters {
  denied(policy: string): { inc(): void };
}

const counters = new WeakMap<Registry, Counter<'policy'>>();

export function rbacCounters(registry: Registry | null): RbacCounters {
  if (registry === null) return NO_COUNTERS;
  let counter = counters.get(registry);
  if (counter === undefined) {
    counter = new Counter({
      name: 'weft_proxy_rbac_denied_total',
      help: 'Requests denied by the RBAC filter (AuthorizationPolicy), by policy (`none`: no ALLOW policy matched)',
      labelNames: ['policy'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  const c = counter;
  return { denied: (policy) => c.labels({ policy }) };
}

const NOOP = {
  inc(): void {
    // no registry: not counted
  },
};
const NO_COUNTERS: RbacCounters = { denied: () => NOOP };
