import type { ClusterModel, DnsDiscoveryModel, EndpointModel } from '@weft/proxy-core';
import { backoffDelay, type Logger } from '@weft/shared';
import { lookupFamilyArg, selectAddresses, type DnsDeps } from './dns-lookup';
import { DnsTarget, type DnsOutcome, type DnsTargetOwner } from './dns-target';

/** An endpoint of a DNS cluster with one resolved address, and the name it came from. */
export interface ResolvedEndpoint extends EndpointModel {
  readonly hostname: string;
}

/**
 * The hosts of a STRICT_DNS or LOGICAL_DNS cluster (Envoy's strict / logical DNS service discovery):
 * one DnsTarget per endpoint hostname, each resolved at once, then every dns_refresh_rate; a failed
 * lookup keeps the target's last addresses. When a target's addresses change the cluster is told
 * (`onChange`) and re-reads `endpoints()`: the same host update path as an EDS update.
 */
export class DnsDiscovery implements DnsTargetOwner {
  private settings: DnsDiscoveryModel | null = null;
  private readonly targets = new Map<string, DnsTarget>();

  constructor(
    readonly cluster: string,
    readonly deps: DnsDeps,
    readonly log: Logger,
    private readonly onChange: () => void,
    private readonly onLookup: (outcome: DnsOutcome) => void = () => undefined,
  ) {}

  counted(outcome: DnsOutcome): void {
    this.onLookup(outcome);
  }

  /**
   * Takes the cluster's (new) model: starts resolving new hostnames, stops those no endpoint names
   * any more. Changed DNS settings re-resolve every hostname now; until the answers come the
   * current addresses stay.
   */
  configure(model: ClusterModel): void {
    const dns = model.dns;
    if (dns === null) throw new Error(`cluster ${model.name} is not a DNS cluster`);
    const changed = this.settings !== null && JSON.stringify(this.settings) !== JSON.stringify(dns);
    this.settings = dns;
    const names = new Set(model.endpoints.map((e) => e.address));
    for (const [name, target] of this.targets) {
      if (names.has(name)) continue;
      target.stop();
      this.targets.delete(name);
    }
    for (const name of names) {
      const target = this.targets.get(name);
      if (target === undefined) {
        const fresh = new DnsTarget(name, this);
        this.targets.set(name, fresh);
        fresh.resolveNow();
      } else if (changed) target.resolveNow();
    }
  }

  /**
   * The endpoints to build hosts from: each endpoint of the model once per address of its hostname
   * (LOGICAL_DNS: the first address only), with the endpoint's weight, locality, priority and
   * health. An address:port reached through several endpoints is one host (the first one's).
   */
  endpoints(model: ClusterModel): ResolvedEndpoint[] {
    const out: ResolvedEndpoint[] = [];
    const seen = new Set<string>();
    const logical = model.dns?.type === 'LOGICAL_DNS';
    for (const ep of model.endpoints) {
      const addresses = this.targets.get(ep.address)?.addresses ?? [];
      for (const address of logical ? addresses.slice(0, 1) : addresses) {
        const id = `${address}|${ep.port}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ ...ep, address, hostname: ep.address });
      }
    }
    return out;
  }

  /** Every hostname has had its first lookup (answered or failed): Envoy's DNS cluster warming. */
  get warm(): boolean {
    for (const t of this.targets.values()) if (!t.attempted) return false;
    return true;
  }

  /** Stops every refresh timer; lookups in flight are ignored when they end. */
  stop(): void {
    for (const t of this.targets.values()) t.stop();
    this.targets.clear();
  }

  // ---- DnsTargetOwner ----

  familyArg(): 0 | 4 | 6 {
    return lookupFamilyArg(this.current().lookupFamily);
  }

  select(answer: Parameters<typeof selectAddresses>[0]): string[] {
    return selectAddresses(answer, this.current().lookupFamily);
  }

  refreshDelay(failures: number): number {
    const s = this.current();
    if (failures === 0 || s.failureRefresh === null) return s.refreshRateMs;
    return Math.max(1, backoffDelay(failures - 1, s.failureRefresh.baseMs, s.failureRefresh.maxMs, this.deps.random));
  }

  addressesChanged(): void {
    this.onChange();
  }

  private current(): DnsDiscoveryModel {
    if (this.settings === null) throw new Error('DnsDiscovery used before configure()');
    return this.settings;
  }
}
