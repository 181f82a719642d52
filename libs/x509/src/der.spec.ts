import { generateKeyPairSync } from 'node:crypto';
import { children, DerError, oid, oidString, parseDer, readNode, seq, time, uint } from './der';
import { buildCsr } from './csr-builder';
import { csrDerOf, verifyCsr } from './csr';

describe('DER', () => {
  it.each(['1.2.840.10045.4.3.2', '2.5.29.17', '1.3.6.1.5.5.7.3.2', '1.2.840.113549.1.9.14'])('round-trips OID %s', (id) => {
    expect(oidString(parseDer(oid(id)))).toBe(id);
  });

  it('encodes positive integers minimally, with a 0 before a high bit', () => {
    expect(uint(Buffer.from([0x00, 0x00, 0x7f]))).toEqual(Buffer.from([0x02, 0x01, 0x7f]));
    expect(uint(Buffer.from([0x80]))).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x80]));
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280)', () => {
    expect(time(Date.UTC(2049, 11, 31, 23, 59, 59)).subarray(2).toString()).toBe('491231235959Z');
    expect(time(Date.UTC(2050, 0, 1)).subarray(2).toString()).toBe('20500101000000Z');
  });

  it('encodes long lengths and reads them back', () => {
    const big = seq(Buffer.alloc(300, 1));
    expect(big.subarray(0, 4)).toEqual(Buffer.from([0x30, 0x82, 0x01, 0x2c]));
    expect(children(parseDer(seq(big, big)))).toHaveLength(2);
  });

  it('refuses truncated input and trailing bytes', () => {
    const s = seq(oid('2.5.29.17'));
    expect(() => readNode(s.subarray(0, s.length - 1))).toThrow(DerError);
    expect(() => parseDer(Buffer.concat([s, Buffer.from([0])]))).toThrow(/trailing/);
  });

  it('refuses a truncated or corrupted CSR with WEFT_ERR_CA_CSR_INVALID', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const der = csrDerOf(buildCsr({ privateKey: key, uris: ['spiffe://cluster.local/ns/a/sa/b'] }));
    expect(verifyCsr(der).uri).toBe('spiffe://cluster.local/ns/a/sa/b');
    expect(() => verifyCsr(der.subarray(0, 40))).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_CSR_INVALID' }));
    const flipped = Buffer.from(der);
    flipped[flipped.length - 5] ^= 0xff;
    expect(() => verifyCsr(flipped)).toThrow(/signature|not a PKCS#10/);
    expect(() => verifyCsr(csrDerOf(buildCsr({ privateKey: key })))).toThrow(/exactly one URI SAN \(found 0\)/);
  });

  it('refuses a P-384 key and a P-256 point that is not on the curve', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expect(() => verifyCsr(csrDerOf(buildCsr({ privateKey: p384, uris: ['spiffe://cluster.local/ns/a/sa/b'] })))).toThrow(/must be ECDSA P-256, not EC secp384r1/);
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = Buffer.from(csrDerOf(buildCsr({ privateKey: key.privateKey, uris: ['spiffe://cluster.local/ns/a/sa/b'] })));
    const spki = key.publicKey.export({ format: 'der', type: 'spki' });
    const at = der.indexOf(spki) + spki.length - 1;
    der[at] = (der[at] as number) ^ 0x01;
    expect(() => verifyCsr(der)).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_CSR_KEY' }));
  });
});
