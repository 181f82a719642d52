import { checkPeerIdentity, peerIdentityOf } from './peer-identity';

const san = (uri: string) => ({ subjectaltname: `URI:${uri}` });

describe('peerIdentityOf', () => {
  it.each([
    ['URI:spiffe://cluster.local/ns/default/sa/reviews', { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'reviews' }],
    ['DNS:a.example.com, URI:spiffe://td.example/ns/shop/sa/cart', { trustDomain: 'td.example', namespace: 'shop', serviceAccount: 'cart' }],
    ['URI:spiffe://cluster.local/workload/x', null],
    ['DNS:reviews.default.svc', null],
    ['', null],
  ])('%s', (subjectaltname, expected) => {
    const peer = peerIdentityOf({ subjectaltname });
    expect(peer === null ? null : { trustDomain: peer.trustDomain, namespace: peer.namespace, serviceAccount: peer.serviceAccount }).toEqual(expected);
  });

  it('is null without a certificate', () => {
    expect(peerIdentityOf(null)).toBeNull();
  });
});

describe('checkPeerIdentity (Istio: the certificate namespace must be the node namespace)', () => {
  const peer = peerIdentityOf(san('spiffe://cluster.local/ns/default/sa/reviews'));

  it('lets a proxy of its own namespace in', () => {
    expect(checkPeerIdentity(peer, 'default', 'cluster.local')).toBeNull();
  });

  it.each([
    [peer, 'prod', 'cluster.local', /spiffe:\/\/cluster\.local\/ns\/default\/sa\/reviews is in namespace "default" but the node metadata NAMESPACE is "prod"/],
    [peer, 'default', 'other.domain', /is not in the trust domain other\.domain/],
    [null, 'default', 'cluster.local', /carries no SPIFFE identity/],
  ])('refuses %#', (p, ns, td, message) => {
    const err = checkPeerIdentity(p, ns, td);
    expect(err?.code).toBe('WEFT_ERR_XDS_IDENTITY_MISMATCH');
    expect(err?.kind).toBe('permission-denied');
    expect(err?.message).toMatch(message);
  });
});
