import { combineHash, hashString } from './hash';

/** Plain MurmurHash3 x86_32 over a byte array: the reference the streaming UTF-8 version must match. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed | 0;
  const scramble = (k: number) => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h ^= scramble(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) k = (k << 8) | bytes[i];
  if (bytes.length & 3) h ^= scramble(k);
  h ^= bytes.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe('hashString', () => {
  // Published MurmurHash3 x86_32 values (also those of the imurmurhash package).
  it.each([
    { s: '', seed: 0, expected: 0 },
    { s: '', seed: 1, expected: 0x514e28b7 },
    { s: 'a', seed: 0, expected: 0x3c2569b2 },
    { s: 'abc', seed: 0, expected: 0xb3dd93fa },
    { s: 'abcd', seed: 0, expected: 0x43ed676a },
    { s: 'hello', seed: 0, expected: 0x248bfa47 },
    { s: 'Hello, world!', seed: 0, expected: 0xc0363e43 },
    { s: 'The quick brown fox jumps over the lazy dog', seed: 0, expected: 0x2e4ff723 },
    { s: 'The quick brown fox jumps over the lazy dog', seed: 1, expected: 0x78e69e27 },
  ])('murmur3_32($s, seed $seed) = $expected', ({ s, seed, expected }) => {
    expect(hashString(s, seed)).toBe(expected);
  });

  it.each(['é', 'naïve café', '中文路径', 'emoji 🚀 key', '\ud800 lone high', 'lone low \udc00', 'x\u07ff\u0800\uffff'])(
    'hashes the UTF-8 bytes of %j',
    (s) => {
      const bytes = new Uint8Array(Buffer.from(s, 'utf8'));
      expect(hashString(s)).toBe(murmur3Bytes(bytes, 0));
      expect(hashString(s, 7)).toBe(murmur3Bytes(bytes, 7));
    },
  );

  it('returns unsigned 32-bit integers', () => {
    for (let i = 0; i < 1000; i++) {
      const h = hashString(`key-${i}`);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});

describe('combineHash', () => {
  it.each([
    { a: 0, b: 0, expected: 0 },
    { a: 1, b: 0, expected: 2 },
    { a: 0x80000000, b: 0, expected: 1 },
    { a: 1, b: 1, expected: 3 },
    { a: 0xffffffff, b: 0xffffffff, expected: 0 },
    { a: 0x12345678, b: 0x0f0f0f0f, expected: ((0x2468acf0 ^ 0x0f0f0f0f) >>> 0) },
  ])('rotates $a left one bit and xors $b → $expected', ({ a, b, expected }) => {
    expect(combineHash(a, b)).toBe(expected);
  });

  it('depends on the order of the policies', () => {
    const [a, b] = [hashString('x-user: alice'), hashString('10.1.2.3')];
    expect(combineHash(a, b)).not.toBe(combineHash(b, a));
  });
});
