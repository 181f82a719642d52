import { qualifyHost } from './host-names';
import type { MeshService } from './mesh-service';

/** A host name resolved against the store: the host to index changes under, and its service (or null). */
export interface HostResolution {
  /** The lowercase fully qualified host the name stands for (known or not). */
  readonly host: string;
  readonly service: MeshService | null;
}

/**
 * Every service of the mesh (registry services and ServiceEntry hosts) with its indexes: by key, by
 * host (fqdn and every other host it declares) and by namespace. Updates touch only the entries of
 * the service that changed. When two services claim one host the first one keeps it (analyze reports
 * the conflict).
 */
export class ServiceStore {
  private readonly byKey = new Map<string, MeshService>();
  private readonly hostClaims = new Map<string, string[]>();
  private readonly namespaces = new Map<string, Set<string>>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): MeshService | null {
    return this.byKey.get(key) ?? null;
  }

  values(): IterableIterator<MeshService> {
    return this.byKey.values();
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  /** The service owning `host` (exact, lowercase), or null. */
  byHost(host: string): MeshService | null {
    const claims = this.hostClaims.get(host);
    return claims === undefined ? null : (this.byKey.get(claims[0]) ?? null);
  }

  /** Every service claiming `host`, first (the owner) first. */
  claimants(host: string): readonly string[] {
    return this.hostClaims.get(host) ?? [];
  }

  /** Resolves a host as a client in `namespace` means it: exact first, then its qualified form. */
  resolve(host: string, namespace: string): HostResolution {
    const lower = host.toLowerCase();
    const exact = this.byHost(lower);
    if (exact !== null) return { host: lower, service: exact };
    const qualified = qualifyHost(lower, namespace);
    return { host: qualified, service: this.byHost(qualified) };
  }

  inNamespace(namespace: string): readonly MeshService[] {
    const keys = this.namespaces.get(namespace);
    if (keys === undefined) return [];
    const out: MeshService[] = [];
    for (const k of keys) out.push(this.byKey.get(k) as MeshService);
    return out;
  }

  /** Adds or replaces a service; returns the one it replaced (or null). */
  set(service: MeshService): MeshService | null {
    const previous = this.byKey.get(service.key) ?? null;
    this.byKey.set(service.key, service);
    if (previous === null || !sameStrings(previous.hosts, service.hosts)) {
      if (previous !== null) this.unclaim(previous);
      for (const h of service.hosts) this.claim(h, service.key);
    }
    if (previous === null) addTo(this.namespaces, service.namespace, service.key);
    return previous;
  }

  delete(key: string): MeshService | null {
    const previous = this.byKey.get(key) ?? null;
    if (previous === null) return null;
    this.byKey.delete(key);
    this.unclaim(previous);
    const keys = this.namespaces.get(previous.namespace);
    keys?.delete(key);
    if (keys?.size === 0) this.namespaces.delete(previous.namespace);
    return previous;
  }

  private claim(host: string, key: string): void {
    const claims = this.hostClaims.get(host);
    if (claims === undefined) this.hostClaims.set(host, [key]);
    else if (!claims.includes(key)) claims.push(key);
  }

  private unclaim(service: MeshService): void {
    for (const h of service.hosts) {
      const claims = this.hostClaims.get(h);
      if (claims === undefined) continue;
      const i = claims.indexOf(service.key);
      if (i >= 0) claims.splice(i, 1);
      if (claims.length === 0) this.hostClaims.delete(h);
    }
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}
