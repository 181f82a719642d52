import type { ReportEdge } from '@weft/api';
import { requestSeriesKey } from '../metrics/istio-labels';
import { windowEdgeId } from '../windows/edge-key';

/** The keys an edge folds under: its window edge id and its Istio request series. */
export interface EdgeKeys {
  readonly windowId: string;
  readonly seriesKey: string;
}

/** Distinct label sets remembered; past this the cache starts over (a flood of labels cannot grow it). */
const MAX_ENTRIES = 20_000;

/** A label value, length-prefixed so that no two label sets concatenate alike; null as `~`. */
function part(v: string | null): string {
  return v === null ? '~' : `${v.length}:${v}`;
}

/**
 * Remembers the window id and series key of the label sets seen recently. Building them costs two
 * JSON.stringify per edge; a hit costs one concatenation and one lookup, and hands out the same string
 * instances every time, whose hashes V8 has already computed for the batch's maps and the series guard.
 */
export class EdgeKeyCache {
  private readonly entries = new Map<string, EdgeKeys>();

  constructor(private readonly domain: string) {}

  get(e: ReportEdge): EdgeKeys {
    const s = e.source;
    const d = e.destination;
    const id =
      `${e.reporter}|${e.protocol}|${e.connectionSecurityPolicy}|${e.responseCode}|${e.grpcStatus ?? '~'}|${part(e.responseFlags)}` +
      `${part(s.namespace)}${part(s.workload)}${part(s.principal)}${part(d.namespace)}${part(d.service)}${part(d.workload)}${part(d.principal)}`;
    let keys = this.entries.get(id);
    if (keys === undefined) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      keys = { windowId: windowEdgeId(e.reporter, s, d), seriesKey: requestSeriesKey(e, this.domain) };
      this.entries.set(id, keys);
    }
    return keys;
  }
}
