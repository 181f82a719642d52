import { hostAliases, hostMatches, parseAuthority, qualifyHost } from './host-names';

describe('host names', () => {
  it.each([
    ['reviews:9080', { host: 'reviews', port: 9080 }],
    ['Reviews.Default', { host: 'reviews.default', port: null }],
    ['[::1]:8080', { host: '[::1]', port: 8080 }],
    ['[::1]', { host: '[::1]', port: null }],
    ['reviews:0', null],
    ['reviews:99999', null],
    ['reviews:http', null],
    ['', null],
  ])('parseAuthority(%j)', (text, expected) => {
    expect(parseAuthority(text)).toEqual(expected);
  });

  it.each([
    ['reviews', 'default', 'reviews.default.svc.cluster.local'],
    ['reviews.prod', 'default', 'reviews.prod.svc.cluster.local'],
    ['reviews.prod.svc', 'default', 'reviews.prod.svc.cluster.local'],
    ['reviews.prod.svc.cluster.local', 'default', 'reviews.prod.svc.cluster.local'],
    ['api.example.com', 'default', 'api.example.com'],
  ])('qualifyHost(%j, %j) → %j', (host, ns, expected) => {
    expect(qualifyHost(host, ns)).toBe(expected);
  });

  it.each<[string, boolean, string[]]>([
    ['reviews.default.svc.cluster.local', true, ['reviews.default.svc.cluster.local', 'reviews.default.svc', 'reviews.default', 'reviews']],
    ['reviews.default.svc.cluster.local', false, ['reviews.default.svc.cluster.local', 'reviews.default.svc', 'reviews.default']],
    ['api.example.com', true, ['api.example.com']],
  ])('hostAliases(%j, sameNamespace %j)', (host, same, expected) => {
    expect(hostAliases(host, same)).toEqual(expected);
  });

  it.each([
    ['*', 'a.b', true],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['api.example.com', 'api.example.com', true],
    ['api.example.com', 'web.example.com', false],
  ])('hostMatches(%j, %j) = %j', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});
