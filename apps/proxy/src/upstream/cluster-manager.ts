import type { ClusterModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import type { WorkloadIdentity } from '../tls/workload-identity';
import { Cluster } from './cluster';
import { SYSTEM_DNS, type DnsDeps } from './dns-lookup';

/**
 * All clusters of the running config (CDS/EDS sink): applies a new set, updating clusters in place
 * (pools and outlier state survive), creating new ones and closing removed ones after their
 * in-flight requests finish.
 */
export class ClusterManager {
  private readonly clusters = new Map<string, Cluster>();
  /** Latched by `initialized` once the first config's DNS clusters have resolved. */
  private warmed = false;

  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
    private readonly identity: WorkloadIdentity | null = null,
    /** Resolver and timers of STRICT_DNS / LOGICAL_DNS clusters (fakes in unit tests). */
    private readonly dns: DnsDeps = SYSTEM_DNS,
  ) {}

  /**
   * Envoy's cluster warming at start: every DNS cluster present (with wait_for_warm_on_init) has had
   * the first lookup of each hostname, answered or failed. Once true it stays true, so a DNS
   * cluster added later never takes readiness back (it serves 503 UH until its first answer).
   */
  get initialized(): boolean {
    if (!this.warmed) this.warmed = [...this.clusters.values()].every((c) => c.warm || c.model.dns?.waitForWarmOnInit === false);
    return this.warmed;
  }

  get(name: string): Cluster | undefined {
    return this.clusters.get(name);
  }

  all(): IterableIterator<Cluster> {
    return this.clusters.values();
  }

  apply(models: ReadonlyMap<string, ClusterModel>): void {
    for (const [name, model] of models) {
      const cur = this.clusters.get(name);
      if (cur === undefined) this.clusters.set(name, new Cluster(model, this.metrics, this.log, Math.random, this.identity, this.dns));
      else if (cur.model !== model && !sameModel(cur.model, model)) cur.update(model);
    }
    for (const [name, cluster] of this.clusters) {
      if (models.has(name)) continue;
      this.clusters.delete(name);
      void cluster.close();
      this.log.info({ cluster: name }, 'cluster removed');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.close()));
  }

  destroy(): void {
    for (const c of this.clusters.values()) c.destroy();
  }
}

/** A re-sent, unchanged cluster (SotW CDS, SIGHUP with the same file) is left alone, as in Envoy. */
function sameModel(a: ClusterModel, b: ClusterModel): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
