import type { TypeUrl } from '@weft/xds';
import type { MeshChange } from './xds-contract';

/** Accumulates the resources and wildcard types one mutation touches, then becomes a MeshChange. */
export class ChangeSet {
  readonly resources = new Map<TypeUrl, Set<string>>();
  readonly wildcard = new Set<TypeUrl>();

  add(typeUrl: TypeUrl, name: string): void {
    const names = this.resources.get(typeUrl);
    if (names === undefined) this.resources.set(typeUrl, new Set([name]));
    else names.add(name);
  }

  addAll(typeUrl: TypeUrl, names: Iterable<string>): void {
    for (const n of names) this.add(typeUrl, n);
  }

  markWildcard(...types: TypeUrl[]): void {
    for (const t of types) this.wildcard.add(t);
  }

  get empty(): boolean {
    return this.resources.size === 0 && this.wildcard.size === 0;
  }

  /** Number of named resources over all types. */
  get size(): number {
    let n = 0;
    for (const names of this.resources.values()) n += names.size;
    return n;
  }

  toChange(seenAt: number): MeshChange {
    return { resources: this.resources, wildcard: this.wildcard, seenAt };
  }
}
