import { anyEligible, compareHostIds, isEligible } from './eligible';
import { hashString } from './hash';
import type { LbContext, LbHost, LoadBalancer } from './types';

export interface RingHashOptions {
  readonly minimumRingSize: number;
  readonly maximumRingSize: number;
}

/** Envoy's defaults. */
export const DEFAULT_RING_HASH: RingHashOptions = { minimumRingSize: 1024, maximumRingSize: 8 * 1024 * 1024 };

/** Host indices are packed under the 32-bit hash in one float64 sort key: at most 2^21 hosts. */
const HOST_BITS = 2 ** 21;
const HASH_SPACE = 2 ** 32;

/**
 * RING_HASH: a ketama-style consistent-hash ring (Envoy's ring_hash). Each host is hashed onto the
 * ring at the points `hashString("<id>_<i>")`, i = 0, 1, …; a request goes to the first point at or
 * after `ctx.hash` (wrapping), or to a random point when the request has no hash.
 *
 * Sizing (differs from Envoy, on purpose): a host gets `minimumRingSize × weight / lightest weight`
 * points, so the ring holds at least `minimumRingSize` points per unit of relative weight — and a
 * host's points don't depend on how many other hosts there are. Envoy divides one ring of about
 * `minimumRingSize` among all hosts; adding a sixth host to five then also removes a sixth of every
 * old host's points and moves about 2/N of keys, where this ring moves only the ~1/N that the new
 * host takes. When the ring would exceed `maximumRingSize`, counts are scaled down to fit (and
 * then do depend on the host set). The ring's memory is 8 bytes per point.
 *
 * Unavailable and excluded hosts are walked past to the next point's host, so their keys spread over
 * the others and return when they do (see `isEligible` for the exclusion fallback).
 */
export class RingHashBalancer<H extends LbHost = LbHost> implements LoadBalancer<H> {
  private readonly hosts: readonly H[];
  private readonly random: () => number;
  /** Ring point hashes, ascending. */
  private readonly points: Uint32Array;
  /** Host index (into `hosts`) of each point. */
  private readonly owners: Int32Array;
  /** Fewest / most points any host got (Envoy's min/max_hashes_per_host gauges). */
  readonly minHashesPerHost: number;
  readonly maxHashesPerHost: number;

  constructor(hosts: readonly H[], random: () => number, options: RingHashOptions = DEFAULT_RING_HASH) {
    if (hosts.length > HOST_BITS) throw new RangeError(`ring hash supports at most ${HOST_BITS} hosts`);
    // Sorted by id: the ring (and tie order among equal hashes) doesn't depend on input order.
    this.hosts = hosts.slice().sort(compareHostIds);
    this.random = random;
    const counts = pointCounts(this.hosts, options);
    let total = 0;
    let min = counts.length > 0 ? Infinity : 0;
    let max = 0;
    for (let i = 0; i < counts.length; i++) {
      total += counts[i];
      min = Math.min(min, counts[i]);
      max = Math.max(max, counts[i]);
    }
    this.minHashesPerHost = min;
    this.maxHashesPerHost = max;
    const keys = new Float64Array(total);
    let k = 0;
    for (let h = 0; h < this.hosts.length; h++) {
      const prefix = `${this.hosts[h].id}_`;
      for (let i = 0; i < counts[h]; i++) keys[k++] = hashString(prefix + i) * HOST_BITS + h;
    }
    keys.sort();
    this.points = new Uint32Array(total);
    this.owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      this.owners[i] = keys[i] % HOST_BITS;
      this.points[i] = (keys[i] - this.owners[i]) / HOST_BITS;
    }
  }

  /** Number of points on the ring. */
  get size(): number {
    return this.points.length;
  }

  pick(ctx: LbContext): H | null {
    const size = this.points.length;
    if (size === 0) return null;
    const hash = ctx.hash === null ? Math.floor(this.random() * HASH_SPACE) : ctx.hash >>> 0;
    const start = this.firstPointAtOrAfter(hash);
    const host = this.hosts[this.owners[start]];
    if (isEligible(host, ctx.exclude)) return host;
    if (anyEligible(this.hosts, ctx.exclude)) return this.walk(start, ctx.exclude);
    return ctx.exclude !== null && anyEligible(this.hosts, null) ? this.walk(start, null) : null;
  }

  /** Index of the first point ≥ hash, wrapping to 0 past the last. */
  private firstPointAtOrAfter(hash: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  /** The next eligible host clockwise from `start` (one is known to exist). */
  private walk(start: number, exclude: ReadonlySet<LbHost> | null): H | null {
    const size = this.points.length;
    for (let k = 0; k < size; k++) {
      const host = this.hosts[this.owners[(start + k) % size]];
      if (isEligible(host, exclude)) return host;
    }
    return null;
  }
}

/** Points per host: minimumRingSize per unit of weight relative to the lightest, capped by the maximum. */
function pointCounts(hosts: readonly LbHost[], options: RingHashOptions): Float64Array {
  const counts = new Float64Array(hosts.length);
  if (hosts.length === 0) return counts;
  let lightest = Infinity;
  for (const host of hosts) lightest = Math.min(lightest, host.weight);
  let units = 0;
  for (const host of hosts) units += host.weight / lightest;
  const perUnit = Math.min(Math.max(1, options.minimumRingSize), Math.max(1, options.maximumRingSize) / units);
  for (let i = 0; i < hosts.length; i++) counts[i] = Math.max(1, Math.floor((perUnit * hosts[i].weight) / lightest));
  return counts;
}
