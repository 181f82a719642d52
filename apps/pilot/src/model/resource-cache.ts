import { encodeResource, type EncodedResource, type TypeUrl } from '@weft/xds';

/** One cached answer: the resource (or its absence) and whether a change may have made it stale. */
class CacheEntry {
  constructor(
    public resource: EncodedResource | null,
    public dirty: boolean,
  ) {}
}

/** Builds the object form of a resource, or null when it does not exist. */
export type ResourceBuilder = () => Record<string, unknown> | null;

export interface CacheStats {
  /** Generator runs (cache misses), by type. */
  readonly builds: Map<TypeUrl, number>;
  /** Resources whose content changed on a rebuild, or were new. */
  readonly encoded: number;
}

/**
 * Generated resources, built and encoded on first request and shared by every node of the same scope.
 * Keyed by (type, name, scope): invalidation by name marks every scope of the name dirty in O(scopes);
 * the next request rebuilds, and when the content hash is unchanged the SAME EncodedResource object is
 * returned, so subscribers compare versions (or identities) and send nothing.
 */
export class ResourceCache {
  private readonly entries = new Map<TypeUrl, Map<string, Map<string, CacheEntry>>>();
  private readonly builds = new Map<TypeUrl, number>();
  private encoded = 0;

  get(typeUrl: TypeUrl, name: string, scope: string, build: ResourceBuilder): EncodedResource | null {
    const scopes = this.scopesOf(typeUrl, name);
    const entry = scopes.get(scope);
    if (entry !== undefined && !entry.dirty) return entry.resource;
    this.builds.set(typeUrl, (this.builds.get(typeUrl) ?? 0) + 1);
    const object = build();
    const fresh = object === null ? null : encodeResource(typeUrl, name, object);
    const kept = entry !== undefined && sameVersion(entry.resource, fresh) ? entry.resource : fresh;
    if (kept !== null && kept === fresh) this.encoded++;
    if (entry === undefined) scopes.set(scope, new CacheEntry(kept, false));
    else {
      entry.resource = kept;
      entry.dirty = false;
    }
    return kept;
  }

  /** Marks every scope of these names stale. */
  invalidate(typeUrl: TypeUrl, names: Iterable<string>): void {
    const byName = this.entries.get(typeUrl);
    if (byName === undefined) return;
    for (const name of names) {
      const scopes = byName.get(name);
      if (scopes !== undefined) for (const e of scopes.values()) e.dirty = true;
    }
  }

  /** Forgets a name entirely (its resource no longer exists for anyone). */
  drop(typeUrl: TypeUrl, name: string): void {
    this.entries.get(typeUrl)?.delete(name);
  }

  stats(): CacheStats {
    return { builds: new Map(this.builds), encoded: this.encoded };
  }

  private scopesOf(typeUrl: TypeUrl, name: string): Map<string, CacheEntry> {
    let byName = this.entries.get(typeUrl);
    if (byName === undefined) {
      byName = new Map();
      this.entries.set(typeUrl, byName);
    }
    let scopes = byName.get(name);
    if (scopes === undefined) {
      scopes = new Map();
      byName.set(name, scopes);
    }
    return scopes;
  }
}

function sameVersion(a: EncodedResource | null, b: EncodedResource | null): boolean {
  return a === null ? b === null : b !== null && a.version === b.version;
}
