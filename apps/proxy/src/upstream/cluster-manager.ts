import type { ClusterModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import type { WorkloadIdentity } from '../tls/workload-identity';
import { Cluster } from './cluster';

/**
 * All clusters of the running config (CDS/EDS sink): applies a new set, updating clusters in place
 * (pools and outlier state survive), creating new ones and closing removed ones after their
 * in-flight requests finish.
 */
export class ClusterManager {
  private readonly clusters = new Map<string, Cluster>();

  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
    private readonly identity: WorkloadIdentity | null = null,
  ) {}

  get(name: string): Cluster | undefined {
    return this.clusters.get(name);
  }

  all(): IterableIterator<Cluster> {
    return this.clusters.values();
  }

  apply(models: ReadonlyMap<string, ClusterModel>): void {
    for (const [name, model] of models) {
      const cur = this.clusters.get(name);
      if (cur === undefined) this.clusters.set(name, new Cluster(model, this.metrics, this.log, Math.random, this.identity));
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
