import { anyEligible, compareHostIds, isEligible } from './eligible';
import { hashString } from './hash';
import type { LbContext, LbHost, LoadBalancer } from './types';

/** Envoy's default table size (a prime). */
export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

const HASH_SPACE = 2 ** 32;

/**
 * MAGLEV: consistent hashing by a lookup table (Eisenbud et al., "Maglev", NSDI 2016, listing 1;
 * Envoy's maglev). Each host has a permutation of the table's slots (offset and skip from two hashes
 * of its id, seeds 0 and 1); hosts take turns claiming their next free slot until the table is full,
 * a host of weight w taking a turn in w / max(weight) of the rounds. A request goes to
 * `table[hash mod size]` (a random slot when it has no hash): O(1) per pick, near-perfect balance
 * (equal weights get slot counts differing by at most one), and a host joining or leaving moves
 * little more than its own share of keys.
 *
 * Hosts are ordered by id before filling, so the table doesn't depend on input order. Unavailable
 * and excluded hosts are walked past to the next slot's host (see `isEligible`).
 */
export class MaglevBalancer<H extends LbHost = LbHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  private readonly random: () => number;
  /** Slot → host index; empty when there are no hosts. */
  private readonly table: Int32Array;

  /** `tableSize` must be a prime (as Envoy validates); it should be well above the host count. */
  constructor(hosts: readonly H[], random: () => number, tableSize = DEFAULT_MAGLEV_TABLE_SIZE) {
    if (!isPrime(tableSize)) throw new RangeError(`maglev table size must be a prime, got ${tableSize}`);
    this.hosts = hosts.slice().sort(compareHostIds);
    this.random = random;
    this.table = this.hosts.length === 0 ? new Int32Array(0) : buildTable(this.hosts, tableSize);
  }

  pick(ctx: LbContext): H | null {
    const size = this.table.length;
    if (size === 0) return null;
    const hash = ctx.hash === null ? Math.floor(this.random() * HASH_SPACE) : ctx.hash >>> 0;
    const slot = hash % size;
    const host = this.hosts[this.table[slot]];
    if (isEligible(host, ctx.exclude)) return host;
    if (anyEligible(this.hosts, ctx.exclude)) return this.walk(slot, ctx.exclude);
    return ctx.exclude !== null && anyEligible(this.hosts, null) ? this.walk(slot, null) : null;
  }

  /** The next eligible host from `start` on (one is known to exist). */
  private walk(start: number, exclude: ReadonlySet<LbHost> | null): H | null {
    const size = this.table.length;
    for (let k = 0; k < size; k++) {
      const host = this.hosts[this.table[(start + k) % size]];
      if (isEligible(host, exclude)) return host;
    }
    return null;
  }
}

function buildTable(hosts: readonly LbHost[], size: number): Int32Array {
  const n = hosts.length;
  const offset = new Float64Array(n);
  const skip = new Float64Array(n);
  const next = new Float64Array(n);
  const share = new Float64Array(n);
  const due = new Float64Array(n);
  let heaviest = 0;
  for (const host of hosts) heaviest = Math.max(heaviest, host.weight);
  for (let i = 0; i < n; i++) {
    offset[i] = hashString(hosts[i].id, 0) % size;
    skip[i] = (hashString(hosts[i].id, 1) % (size - 1)) + 1;
    share[i] = hosts[i].weight / heaviest;
  }
  const table = new Int32Array(size).fill(-1);
  let filled = 0;
  for (let round = 1; filled < size; round++) {
    for (let i = 0; i < n && filled < size; i++) {
      // A host of share s claims a slot in the rounds where round × s has caught up with its due count.
      if (round * share[i] < due[i]) continue;
      due[i] += 1;
      let slot = (offset[i] + skip[i] * next[i]) % size;
      while (table[slot] >= 0) slot = (offset[i] + skip[i] * ++next[i]) % size;
      table[slot] = i;
      next[i]++;
      filled++;
    }
  }
  return table;
}

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) return false;
  }
  return true;
}
