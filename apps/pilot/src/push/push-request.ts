import type { TypeUrl } from '@weft/xds';
import type { MeshChange } from '../model/xds-contract';

/**
 * What one push has to re-evaluate: resource names by type, types whose wildcard set may have changed,
 * and the earliest time any merged change was seen (the convergence clock starts there). It has the
 * shape of a MeshChange, so changes and per-connection pushes merge the same way (union of names,
 * min seenAt) — the debouncer merges mesh changes, the push queue merges pushes for a busy stream.
 */
export class PushRequest implements MeshChange {
  readonly resources: Map<TypeUrl, Set<string>>;
  readonly wildcard: Set<TypeUrl>;
  seenAt: number;
  /** How many mesh changes were merged into this request. */
  merged: number;

  constructor(seenAt: number = Number.POSITIVE_INFINITY) {
    this.resources = new Map();
    this.wildcard = new Set();
    this.seenAt = seenAt;
    this.merged = 0;
  }

  static of(change: MeshChange): PushRequest {
    const request = new PushRequest();
    request.merge(change);
    return request;
  }

  addName(typeUrl: TypeUrl, name: string): void {
    let names = this.resources.get(typeUrl);
    if (names === undefined) {
      names = new Set();
      this.resources.set(typeUrl, names);
    }
    names.add(name);
  }

  addWildcard(typeUrl: TypeUrl): void {
    this.wildcard.add(typeUrl);
  }

  /** Earliest seenAt wins: a merged push converges only when its oldest change has. */
  observe(seenAt: number): void {
    if (seenAt < this.seenAt) this.seenAt = seenAt;
  }

  merge(change: MeshChange): void {
    for (const [typeUrl, names] of change.resources) {
      for (const name of names) this.addName(typeUrl, name);
    }
    for (const typeUrl of change.wildcard) this.wildcard.add(typeUrl);
    this.observe(change.seenAt);
    this.merged += change instanceof PushRequest ? change.merged : 1;
  }

  names(typeUrl: TypeUrl): ReadonlySet<string> | undefined {
    return this.resources.get(typeUrl);
  }

  isEmpty(): boolean {
    return this.resources.size === 0 && this.wildcard.size === 0;
  }
}
