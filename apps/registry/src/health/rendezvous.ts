/**
 * Rendezvous (highest-random-weight) hashing: a key belongs to the member with the highest
 * weight(key, member). Every replica that sees the same member list computes the same owner without
 * talking to the others; when a member leaves only its keys move (each to its runner-up), and when
 * one joins only the keys it now wins move (≈ 1/n of them). Thaler & Ravishankar, 1996.
 *
 * Weights are 32-bit: FNV-1a over the string's UTF-16 code units, finished with murmur3's fmix32
 * avalanche; the key and member hashes are combined and mixed again. Ties (rare) go to the member that
 * sorts first, so the owner never depends on the order of the list.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const GOLDEN = 0x9e3779b1;

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of a string (unsigned). */
export function hash32(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return fmix32(h);
}

function weight(keyHash: number, memberHash: number): number {
  return fmix32(keyHash ^ Math.imul(memberHash, GOLDEN));
}

/** A member list prepared for many lookups (member hashes computed once). */
export class Rendezvous {
  private readonly names: readonly string[];
  private readonly hashes: readonly number[];

  constructor(members: readonly string[]) {
    this.names = [...new Set(members)].sort();
    this.hashes = this.names.map(hash32);
  }

  get members(): readonly string[] {
    return this.names;
  }

  /** The member that owns `key`, or null when there are no members. */
  owner(key: string): string | null {
    const kh = hash32(key);
    let best = -1;
    let bestWeight = -1;
    for (let i = 0; i < this.hashes.length; i++) {
      const w = weight(kh, this.hashes[i]);
      // Strictly greater: on a tie the earlier (lexicographically smaller) member keeps the key.
      if (w > bestWeight) {
        bestWeight = w;
        best = i;
      }
    }
    return best < 0 ? null : this.names[best];
  }
}

/** The member that owns `key` among `members` (null when empty). For one-off lookups. */
export function rendezvousOwner(key: string, members: readonly string[]): string | null {
  return new Rendezvous(members).owner(key);
}
