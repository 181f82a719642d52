import type { Histogram } from 'hdr-histogram-js';
import { pairId, parseWindowEdgeId, type WindowEdgeKey } from './edge-key';
import { SignalsBuilder, type GoldenSignals } from './golden-signals';
import { zeroCounters, type EdgeCounters, type WindowData } from './window.repository';

export interface ServiceStat extends GoldenSignals {
  readonly namespace: string;
  readonly service: string;
}

export interface EdgeStat extends GoldenSignals {
  readonly source: { readonly namespace: string; readonly workload: string };
  readonly destination: { readonly namespace: string; readonly service: string };
  /** Whose figures these are: the callee's proxy when it reported the pair, else the caller's. */
  readonly reporter: 'source' | 'destination';
}

export interface TopologyNode extends GoldenSignals {
  /** `service:<ns>/<name>` or `workload:<ns>/<name>`. */
  readonly id: string;
  readonly kind: 'service' | 'workload';
  readonly namespace: string;
  readonly name: string;
}

export interface TopologyEdge extends GoldenSignals {
  readonly source: string;
  readonly target: string;
}

interface SelectedEdge {
  readonly key: WindowEdgeKey;
  readonly counters: EdgeCounters;
  readonly histograms: readonly string[];
}

/**
 * The edges of a window with one reporter per (caller, service) pair: the destination proxy's figures
 * when it reported (it saw every request that arrived), else the source proxy's (calls leaving the mesh
 * or to services without a proxy). Both proxies of a call report it; counting both would double it.
 */
export function selectEdges(data: WindowData): SelectedEdge[] {
  const byPair = new Map<string, SelectedEdge>();
  for (const [id, counters] of data.counters) {
    const key = parseWindowEdgeId(id);
    if (key === null) continue;
    const pair = pairId(key);
    const current = byPair.get(pair);
    if (current !== undefined && current.key.reporter === 'destination') continue;
    byPair.set(pair, { key, counters, histograms: data.histograms.get(id) ?? [] });
  }
  return [...byPair.values()];
}

type DecodeCache = Map<string, Histogram | null>;

function grouped<K>(
  edges: readonly SelectedEdge[],
  keyOf: (e: SelectedEdge) => string,
  meta: (e: SelectedEdge) => K,
  cache: DecodeCache = new Map(),
): Map<string, { meta: K; b: SignalsBuilder }> {
  const out = new Map<string, { meta: K; b: SignalsBuilder }>();
  for (const e of edges) {
    const k = keyOf(e);
    let g = out.get(k);
    if (g === undefined) {
      g = { meta: meta(e), b: new SignalsBuilder(zeroCounters(), cache) };
      out.set(k, g);
    }
    g.b.add(e.counters, e.histograms);
  }
  return out;
}

const byName = <T extends { namespace: string }>(name: (t: T) => string) => (a: T, b: T) =>
  a.namespace.localeCompare(b.namespace) || name(a).localeCompare(name(b));

/** Per destination service: what arrived at it. */
export function serviceStats(data: WindowData): ServiceStat[] {
  const groups = grouped(selectEdges(data), (e) => `${e.key.destinationNamespace}/${e.key.destinationService}`, (e) => ({
    namespace: e.key.destinationNamespace,
    service: e.key.destinationService,
  }));
  return [...groups.values()].map((g) => ({ ...g.meta, ...g.b.build(data.seconds) })).sort(byName((s) => s.service));
}

/** Per (calling workload, called service). */
export function edgeStats(data: WindowData, cache: DecodeCache = new Map()): EdgeStat[] {
  return selectEdges(data)
    .map((e) => {
      const b = new SignalsBuilder(zeroCounters(), cache);
      b.add(e.counters, e.histograms);
      return {
        source: { namespace: e.key.sourceNamespace, workload: e.key.sourceWorkload },
        destination: { namespace: e.key.destinationNamespace, service: e.key.destinationService },
        reporter: e.key.reporter,
        ...b.build(data.seconds),
      };
    })
    .sort((a, b) => `${a.source.namespace}/${a.source.workload}>${a.destination.namespace}/${a.destination.service}`.localeCompare(
      `${b.source.namespace}/${b.source.workload}>${b.destination.namespace}/${b.destination.service}`));
}

export const workloadNodeId = (ns: string, name: string) => `workload:${ns}/${name}`;
export const serviceNodeId = (ns: string, name: string) => `service:${ns}/${name}`;

/** Nodes (calling workloads with their outbound signals, services with their inbound ones) and edges. */
export function topology(data: WindowData): { nodes: TopologyNode[]; edges: TopologyEdge[] } {
  const selected = selectEdges(data);
  const cache: DecodeCache = new Map();
  const services = grouped(selected, (e) => serviceNodeId(e.key.destinationNamespace, e.key.destinationService), (e) => ({
    kind: 'service' as const,
    namespace: e.key.destinationNamespace,
    name: e.key.destinationService,
  }), cache);
  const workloads = grouped(selected, (e) => workloadNodeId(e.key.sourceNamespace, e.key.sourceWorkload), (e) => ({
    kind: 'workload' as const,
    namespace: e.key.sourceNamespace,
    name: e.key.sourceWorkload,
  }), cache);
  const nodes = [...services, ...workloads].map(([id, g]) => ({ id, ...g.meta, ...g.b.build(data.seconds) }));
  const edges = edgeStats(data, cache).map((e) => {
    const { source, destination, reporter: _reporter, ...signals } = e;
    return { source: workloadNodeId(source.namespace, source.workload), target: serviceNodeId(destination.namespace, destination.service), ...signals };
  });
  return { nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)), edges };
}
