import type { SidecarHost } from '@weft/api';
import { hostMatches } from './host-names';
import type { MeshService } from './mesh-service';
import type { SidecarView } from './rule-views';
import type { ServiceStore } from './service-store';

/** One service port a workload may call. */
export interface ScopedPort {
  readonly service: MeshService;
  readonly port: number;
}

/**
 * The service ports a Sidecar's egress admits for a workload in `namespace`: hosts `ns/dnsName` with
 * `.` = the workload's namespace and `*` = any namespace; dnsName `*`, `*.suffix` or exact, matched
 * against every host of a service; `~ns/dns` entries take hosts away; an egress `port` keeps only that
 * port. `*\/…` entries scan every service (the operator asked for the whole mesh); `ns/…` entries scan
 * that namespace only.
 */
export function sidecarEgress(sidecar: SidecarView, namespace: string, services: ServiceStore): ScopedPort[] {
  const out: ScopedPort[] = [];
  const seen = new Set<string>();
  for (const egress of sidecar.egress) {
    const excluded = egress.hosts.filter((h) => h.exclude);
    for (const entry of egress.hosts) {
      if (entry.exclude) continue;
      for (const service of candidates(entry, namespace, services)) {
        if (!selects(entry, service, namespace) || excluded.some((x) => selects(x, service, namespace))) continue;
        for (const p of service.ports) {
          const key = `${service.key}|${p.number}`;
          if ((egress.port !== null && egress.port.number !== p.number) || seen.has(key)) continue;
          seen.add(key);
          out.push({ service, port: p.number });
        }
      }
    }
  }
  return out;
}

function candidates(entry: SidecarHost, namespace: string, services: ServiceStore): Iterable<MeshService> {
  if (entry.namespace === '*') return services.values();
  return services.inNamespace(entry.namespace === '.' ? namespace : entry.namespace);
}

function selects(entry: SidecarHost, service: MeshService, namespace: string): boolean {
  const ns = entry.namespace === '.' ? namespace : entry.namespace;
  if (ns !== '*' && service.namespace !== ns) return false;
  const dns = entry.dnsName.toLowerCase();
  return service.hosts.some((h) => hostMatches(dns, h));
}
