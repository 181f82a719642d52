/**
 * Load-balancer contract. A cluster owns its hosts and builds one balancer per host-set version (on
 * config or health change, never per request); `pick` runs per request and must not allocate.
 */
export interface LbHost {
  /** `address:port`, stable across updates. */
  readonly id: string;
  /** Effective integer weight ≥ 1 (see effectiveWeights: endpoint weight, shared within its weighted locality). */
  readonly weight: number;
  /** In-flight requests on this host (maintained by the cluster). */
  activeRequests: number;
  /** False when unhealthy, draining or ejected by outlier detection: never picked. */
  available: boolean;
}

export interface LbContext {
  /** 64-bit-ish hash of the request (hash policies) for RING_HASH / MAGLEV; null: no hash (pick at random). */
  readonly hash: number | null;
  /** Hosts to avoid (retry previous_hosts predicate); null for none. */
  readonly exclude: ReadonlySet<LbHost> | null;
}

export interface LoadBalancer<H extends LbHost = LbHost> {
  /** A host, or null when no host is available. */
  pick(ctx: LbContext): H | null;
}

/** Builds a balancer over a host set; called when the host set or their weights/availability change. */
export type LoadBalancerFactory<H extends LbHost = LbHost> = (hosts: readonly H[], random: () => number) => LoadBalancer<H>;
