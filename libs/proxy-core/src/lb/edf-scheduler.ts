/** Virtual time past which deadlines are shifted back to 0, keeping 1/weight steps precise. */
const REBASE_AT = 2 ** 32;

/**
 * Earliest-deadline-first scheduler over entries 0..n-1, as Envoy's EdfScheduler: every entry has a
 * virtual deadline; the entry due first is picked, virtual time moves to its deadline and the entry
 * is due again 1/weight later. Over any stretch of virtual time of length 1, an entry of integer
 * weight w is picked exactly w times, smoothly interleaved with the others (weights 1:2:7 give
 * C C C B C C C A B C, not A B B C C C C C C C). Ties go to the entry that has waited longest
 * (initially: the lower index), so equal weights rotate.
 *
 * A binary heap in typed arrays: nothing is allocated after the constructor.
 */
export class EdfScheduler {
  /** Heap position → entry. */
  private readonly heap: Int32Array;
  /** Entry → heap position. */
  private readonly slot: Int32Array;
  private readonly deadline: Float64Array;
  /**
   * deadline = base + steps / weight, recomputed rather than accumulated while the weight holds, so
   * weights that are multiples of each other meet exactly (7 × (1/7) summed in floating point falls
   * short of 1 and would reorder ties).
   */
  private readonly base: Float64Array;
  private readonly steps: Float64Array;
  private readonly weight: Float64Array;
  /** Tie-breaker: when the entry was last (re)scheduled. */
  private readonly order: Float64Array;
  private now: number;
  private nextOrder: number;

  /**
   * `start` in [0, 1) is the virtual time the schedule begins at, as if picks up to it had been made
   * (Envoy seeds a random start so that proxies built at the same moment don't all begin with the
   * same host). Weights must be > 0.
   */
  constructor(weights: ArrayLike<number>, start: number) {
    const n = weights.length;
    this.heap = new Int32Array(n);
    this.slot = new Int32Array(n);
    this.deadline = new Float64Array(n);
    this.base = new Float64Array(n);
    this.steps = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.order = new Float64Array(n);
    this.now = start;
    this.nextOrder = n;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      this.weight[i] = w;
      this.steps[i] = Math.floor(start * w) + 1;
      this.deadline[i] = this.steps[i] / w;
      this.order[i] = i;
      this.heap[i] = i;
      this.slot[i] = i;
    }
    for (let p = (n >> 1) - 1; p >= 0; p--) this.siftDown(p);
  }

  get size(): number {
    return this.heap.length;
  }

  /** The entry due next (the scheduler must not be empty). */
  peek(): number {
    return this.heap[0];
  }

  /** True when entry `a` is due before entry `b`. */
  before(a: number, b: number): boolean {
    const da = this.deadline[a];
    const db = this.deadline[b];
    return da < db || (da === db && this.order[a] < this.order[b]);
  }

  /**
   * Entry `i` has been picked (usually the one `peek` returned): virtual time moves to its deadline
   * (never backwards) and it is due again `1 / weight` later. The weight may differ from the one it
   * had before (least-request re-weights a host by its load each time it is picked).
   */
  advance(i: number, weight: number): void {
    const onTime = this.deadline[i] >= this.now;
    if (onTime) this.now = this.deadline[i];
    if (this.now >= REBASE_AT) this.rebase(this.now);
    if (onTime && weight === this.weight[i]) {
      this.steps[i]++;
    } else {
      this.base[i] = this.now;
      this.steps[i] = 1;
      this.weight[i] = weight;
    }
    this.deadline[i] = this.base[i] + this.steps[i] / weight;
    this.order[i] = this.nextOrder++;
    this.siftDown(this.slot[i]);
  }

  /** Shifts virtual time by `-by` (once per 2^32 units): order, and so the schedule, is unchanged. */
  private rebase(by: number): void {
    for (let i = 0; i < this.deadline.length; i++) {
      this.deadline[i] -= by;
      this.base[i] = this.deadline[i];
      this.steps[i] = 0;
    }
    this.now -= by;
  }

  private siftDown(pos: number): void {
    const { heap, deadline, order } = this;
    const n = heap.length;
    const entry = heap[pos];
    const d = deadline[entry];
    const o = order[entry];
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      let cd = deadline[heap[child]];
      if (child + 1 < n) {
        const rd = deadline[heap[child + 1]];
        if (rd < cd || (rd === cd && order[heap[child + 1]] < order[heap[child]])) {
          child++;
          cd = rd;
        }
      }
      if (cd > d || (cd === d && order[heap[child]] > o)) break;
      heap[pos] = heap[child];
      this.slot[heap[pos]] = pos;
      pos = child;
    }
    heap[pos] = entry;
    this.slot[entry] = pos;
  }
}
