import type { ClusterModel, EndpointModel } from '@weft/proxy-core';
import { claFromProto } from '../config';
import type { ResourceStore } from './resource-store';
import type { StaticResources } from './subscription-planner';
import type { EndpointsModel, Held } from './xds-resource';

interface Memo {
  readonly source: ClusterModel;
  readonly eds: string | null;
  readonly endpoints: Held<EndpointsModel> | null;
  readonly model: ClusterModel;
}

export interface ClusterAssembly {
  readonly clusters: Map<string, ClusterModel>;
  /** EDS service names of the clusters assembled (kept subscribed while they run). */
  readonly edsNames: Set<string>;
  /** Clusters waiting for their first endpoints. */
  readonly warming: string[];
  readonly problems: string[];
}

/**
 * Clusters with their endpoints (Envoy's cluster warming): a STATIC cluster is ready as it is; an EDS
 * cluster is ready once its ClusterLoadAssignment arrived. Until then the running version of the
 * cluster (if any) keeps serving. An unchanged (cluster, endpoints) pair yields the same model object,
 * so the cluster manager leaves it alone and the proxy recompiles nothing for it.
 */
export class ClusterAssembler {
  private memo = new Map<string, Memo>();

  constructor(
    private readonly store: ResourceStore,
    private readonly statics: StaticResources,
  ) {}

  assemble(previous: ReadonlyMap<string, ClusterModel> | null): ClusterAssembly {
    const out: ClusterAssembly = { clusters: new Map(), edsNames: new Set(), warming: [], problems: [] };
    const memo = new Map<string, Memo>();
    for (const [name, model] of this.statics.clusters) this.add(out, memo, name, model, this.statics.edsServiceNames.get(name) ?? null, previous);
    for (const held of this.store.all('cluster')) {
      if (!this.statics.clusters.has(held.name)) this.add(out, memo, held.name, held.model.cluster, held.model.edsServiceName, previous);
    }
    this.memo = memo;
    return out;
  }

  private add(out: ClusterAssembly, memo: Map<string, Memo>, name: string, source: ClusterModel, eds: string | null, previous: ReadonlyMap<string, ClusterModel> | null): void {
    const endpoints = eds === null ? null : (this.store.get('clusterLoadAssignment', eds) ?? null);
    const last = this.memo.get(name);
    if (last !== undefined && last.source === source && last.eds === eds && last.endpoints === endpoints) {
      memo.set(name, last);
      return keep(out, name, last.model, eds);
    }
    if (eds !== null && endpoints === null) {
      // Removed endpoints of a running cluster: no hosts. A new EDS name that has not arrived: warming.
      if (last !== undefined && last.eds === eds) return this.build(out, memo, name, source, eds, null, []);
      const running = previous?.get(name);
      if (running !== undefined) return keep(out, name, running, eds);
      out.warming.push(name);
      return;
    }
    const eps = endpoints === null ? source.endpoints : endpointsFor(source, endpoints, out.problems);
    if (eps === null) {
      const running = previous?.get(name);
      if (running !== undefined) keep(out, name, running, eds);
      return;
    }
    this.build(out, memo, name, source, eds, endpoints, eps);
  }

  private build(out: ClusterAssembly, memo: Map<string, Memo>, name: string, source: ClusterModel, eds: string | null, endpoints: Held<EndpointsModel> | null, eps: readonly EndpointModel[]): void {
    const model = eps === source.endpoints ? source : Object.freeze({ ...source, endpoints: eps });
    memo.set(name, { source, eds, endpoints, model });
    keep(out, name, model, eds);
  }
}

function keep(out: ClusterAssembly, name: string, model: ClusterModel, eds: string | null): void {
  out.clusters.set(name, model);
  if (eds !== null) out.edsNames.add(eds);
}

/** The endpoints for this cluster: locality weights apply only when the cluster asks for them. */
function endpointsFor(cluster: ClusterModel, held: Held<EndpointsModel>, problems: string[]): readonly EndpointModel[] | null {
  if (!cluster.localityWeighted) return held.model.plain.endpoints;
  try {
    return claFromProto(held.model.raw, '', { localityWeighted: true }).endpoints;
  } catch (err) {
    problems.push(`cluster ${cluster.name}: endpoints ${held.name}: ${(err as Error).message}`);
    return null;
  }
}
