/**
 * Hashing for consistent-hash load balancing: the ring, the Maglev table and the router's hash
 * policies (header, cookie, source IP, query parameter) all use this one function, so a request hash
 * and a ring position live in the same space: unsigned 32-bit integers.
 *
 * The hash is MurmurHash3 x86_32 over the string's UTF-8 bytes (the bytes `Buffer.from(s)` holds;
 * lone surrogates encode as U+FFFD), computed straight from the UTF-16 code units without encoding
 * into a buffer: no allocation per call. Envoy uses xxHash64; a 64-bit hash would need BigInt (which
 * allocates) in JavaScript, and 32 bits are plenty to place ≤ 8M ring points and request keys. Rings
 * therefore differ from Envoy's: a key maps to the same host across Weft proxies, not across an
 * Envoy and a Weft proxy.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// Running state of the hash being computed (single-threaded, reset on every call).
let h1 = 0;
let k1 = 0;
let length = 0;

function scramble(k: number): number {
  const m = Math.imul(k, C1);
  return Math.imul((m << 15) | (m >>> 17), C2);
}

function mixBlock(k: number): void {
  h1 ^= scramble(k);
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

function pushByte(b: number): void {
  k1 |= b << ((length & 3) << 3);
  length++;
  if ((length & 3) === 0) {
    mixBlock(k1);
    k1 = 0;
  }
}

function pushCodePoint(c: number): void {
  if (c < 0x80) {
    pushByte(c);
  } else if (c < 0x800) {
    pushByte(0xc0 | (c >> 6));
    pushByte(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    pushByte(0xe0 | (c >> 12));
    pushByte(0x80 | ((c >> 6) & 0x3f));
    pushByte(0x80 | (c & 0x3f));
  } else {
    pushByte(0xf0 | (c >> 18));
    pushByte(0x80 | ((c >> 12) & 0x3f));
    pushByte(0x80 | ((c >> 6) & 0x3f));
    pushByte(0x80 | (c & 0x3f));
  }
}

/** MurmurHash3 x86_32 of the UTF-8 bytes of `s` (seed 0 unless given): an unsigned 32-bit integer. */
export function hashString(s: string, seed = 0): number {
  h1 = seed | 0;
  k1 = 0;
  length = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if ((length & 3) === 0 && i + 3 < n) {
      // Fast path: four ASCII characters make one whole block.
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) < 0x80) {
        mixBlock(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
        length += 4;
        i += 3;
        continue;
      }
    }
    i = pushUtf16(s, i);
  }
  return finish();
}

/** Pushes the UTF-8 bytes of the character at `i` (two code units for a surrogate pair); returns its last index. */
function pushUtf16(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c >= 0xe000) {
    pushCodePoint(c);
  } else if (c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
    pushCodePoint(0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00));
    return i + 1;
  } else {
    pushCodePoint(0xfffd);
  }
  return i;
}

function finish(): number {
  let h = h1;
  if ((length & 3) !== 0) h ^= scramble(k1);
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Folds hash `b` into hash `a` as Envoy combines several hash policies: rotate `a` left by one bit,
 * then xor `b` (here in 32 bits). Order matters: combineHash(a, b) !== combineHash(b, a) in general.
 */
export function combineHash(a: number, b: number): number {
  return (((a << 1) | (a >>> 31)) ^ b) >>> 0;
}
