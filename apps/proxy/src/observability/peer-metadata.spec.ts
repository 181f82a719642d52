import { parsePeer, trustedPeer } from './peer-metadata';

describe('peer metadata', () => {
  const shop = 'spiffe://cluster.local/ns/shop/sa/productpage';

  it.each([
    ['a plaintext claim is taken as it is', 'productpage-v1.default', null, { workload: 'productpage-v1', namespace: 'default' }],
    ['over mTLS, in the certificate\'s namespace', 'productpage-v1.shop', shop, { workload: 'productpage-v1', namespace: 'shop' }],
    ['over mTLS, claiming another namespace: not believed', 'productpage-v1.default', shop, null],
    ['malformed', 'nodot', null, null],
    ['absent', undefined, shop, null],
    ['repeated (a list)', ['a.b', 'c.d'], null, null],
  ])('%s', (_what, header, principal, expected) => {
    expect(trustedPeer(header, principal)).toEqual(expected);
    // The second answer comes from the cache and is the same.
    expect(trustedPeer(header, principal)).toEqual(expected);
  });

  it('parses <workload>.<namespace> at the last dot', () => {
    expect(parsePeer('a.b.prod')).toEqual({ workload: 'a.b', namespace: 'prod' });
  });
});
