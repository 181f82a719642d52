import { parsePeer } from '../peer-metadata';
import { EdgeRefs, serviceOfTarget } from './edge-refs';

describe('edge refs', () => {
  it.each([
    ['outbound|9080|v1|reviews.default.svc.cluster.local', { service: 'reviews', namespace: 'default' }],
    ['outbound|9080||ratings.shop.svc.cluster.local', { service: 'ratings', namespace: 'shop' }],
    ['reviews:9080', { service: 'reviews', namespace: 'own' }],
    ['details.other', { service: 'details', namespace: 'other' }],
    ['', { service: 'unknown', namespace: 'own' }],
  ])('names the service of %j', (target, expected) => {
    expect(serviceOfTarget(target, 'own')).toEqual(expected);
  });

  it.each([
    ['productpage-v1.default', { workload: 'productpage-v1', namespace: 'default' }],
    ['a.b.prod', { workload: 'a.b', namespace: 'prod' }],
    ['nodot', null],
    ['.default', null],
    ['workload.', null],
  ])('parses the peer header %j', (value, expected) => {
    expect(parsePeer(value)).toEqual(expected);
  });

  it('names an inbound caller by its peer header (over mTLS only in its certificate\'s namespace), else by the namespace of its SPIFFE ID, else unknown', () => {
    let principal: string | null = null;
    const refs = new EdgeRefs({ id: 'p', service: 'reviews', workload: 'reviews-v1', namespace: 'default' }, () => principal);
    const spiffe = 'spiffe://cluster.local/ns/shop/sa/productpage';
    expect(refs.inboundSource('productpage-v1.shop', spiffe)).toEqual({ workload: 'productpage-v1', namespace: 'shop', principal: spiffe });
    // A header claiming another namespace than the certificate's is not believed.
    expect(refs.inboundSource('productpage-v1.default', spiffe)).toEqual({ workload: 'unknown', namespace: 'shop', principal: spiffe });
    // Without mTLS the header is the caller's (unauthenticated) claim.
    expect(refs.inboundSource('productpage-v1.default', null)).toEqual({ workload: 'productpage-v1', namespace: 'default', principal: null });
    expect(refs.inboundSource(undefined, spiffe)).toEqual({ workload: 'unknown', namespace: 'shop', principal: spiffe });
    expect(refs.inboundSource(['x.y'], null)).toEqual({ workload: 'unknown', namespace: 'unknown', principal: null });
    expect(refs.inboundDestination(true).principal).toBeNull();
    principal = 'spiffe://cluster.local/ns/default/sa/reviews';
    expect(refs.inboundDestination(true)).toEqual({ service: 'reviews', workload: 'reviews-v1', namespace: 'default', principal });
    expect(refs.outboundSource(true).principal).toBe(principal);
    expect(refs.outboundSource(false).principal).toBeNull();
  });
});
