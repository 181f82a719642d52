/**
 * A small seeded PRNG (mulberry32) with the `() => number` shape balancers take: reproducible picks in
 * specs and benchmarks. Not for production traffic (use Math.random) and not cryptographic.
 */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
