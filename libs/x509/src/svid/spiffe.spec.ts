import { principalOf, spiffeId, spiffeIdOf } from './spiffe';

describe('SPIFFE IDs', () => {
  it.each([
    ['URI:spiffe://cluster.local/ns/default/sa/reviews', 'spiffe://cluster.local/ns/default/sa/reviews'],
    ['DNS:reviews, URI:https://example.com, URI:spiffe://td/ns/a/sa/b', 'spiffe://td/ns/a/sa/b'],
    ['URI:"spiffe://td/ns/a/sa/b"', 'spiffe://td/ns/a/sa/b'],
    ['DNS:reviews.default.svc', null],
    ['', null],
  ])('subjectaltname %j → %s', (san, id) => {
    expect(spiffeIdOf({ subjectaltname: san })).toBe(id);
  });

  it('has no identity without a certificate', () => {
    expect(spiffeIdOf(null)).toBeNull();
    expect(spiffeIdOf(undefined)).toBeNull();
  });

  it("builds Istio's form and its principal (no scheme)", () => {
    const id = spiffeId('cluster.local', 'default', 'reviews');
    expect(id).toBe('spiffe://cluster.local/ns/default/sa/reviews');
    expect(principalOf(id)).toBe('cluster.local/ns/default/sa/reviews');
  });
});
