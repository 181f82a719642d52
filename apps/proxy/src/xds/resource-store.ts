import type { Held, XdsKind, XdsModels } from './xds-resource';

type Maps = { [K in XdsKind]: Map<string, Held<XdsModels[K]>> };

export const XDS_KINDS: readonly XdsKind[] = ['listener', 'routeConfiguration', 'virtualHost', 'cluster', 'clusterLoadAssignment'];

/**
 * The last accepted version of every xDS resource the proxy holds, per kind. A rejected update never
 * reaches it (the previous version stays); the assembler builds snapshots from it and the on-disk
 * cache mirrors it after each ACK.
 */
export class ResourceStore {
  private readonly maps: Maps;
  /** Bumped on every change: the assembler and the cache writer skip work when it did not move. */
  revision: number;

  constructor() {
    this.maps = { listener: new Map(), routeConfiguration: new Map(), virtualHost: new Map(), cluster: new Map(), clusterLoadAssignment: new Map() };
    this.revision = 0;
  }

  get<K extends XdsKind>(kind: K, name: string): Held<XdsModels[K]> | undefined {
    return this.maps[kind].get(name) as Held<XdsModels[K]> | undefined;
  }

  all<K extends XdsKind>(kind: K): IterableIterator<Held<XdsModels[K]>> {
    return this.maps[kind].values() as IterableIterator<Held<XdsModels[K]>>;
  }

  names(kind: XdsKind): IterableIterator<string> {
    return this.maps[kind].keys();
  }

  size(kind: XdsKind): number {
    return this.maps[kind].size;
  }

  set<K extends XdsKind>(kind: K, held: Held<XdsModels[K]>): void {
    (this.maps[kind] as Map<string, Held<XdsModels[K]>>).set(held.name, held);
    this.revision++;
  }

  delete(kind: XdsKind, name: string): boolean {
    const deleted = this.maps[kind].delete(name);
    if (deleted) this.revision++;
    return deleted;
  }

  /** name → version of one kind (delta initial_resource_versions, /config_dump). */
  versions(kind: XdsKind): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, held] of this.maps[kind]) out[name] = held.version;
    return out;
  }
}
