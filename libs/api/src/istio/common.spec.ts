import { isWildcardDomain } from './common.schema';
import { parseDurationMs } from './duration';
import { compileRe2, re2Problem } from './re2';

describe('parseDurationMs (Go / protobuf durations as Istio YAML writes them)', () => {
  it.each([
    ['1s', 1000],
    ['0.5s', 500],
    ['100ms', 100],
    ['1m', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5h', 5_400_000],
    ['180.000s', 180_000],
    ['1.1s', 1100],
    ['0s', 0],
    ['0', 0],
    ['250us', 0.25],
    ['1µs', 0.001],
    ['1000000ns', 1],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '5', '-1s', '1 s', 's', '1d', '1.s.', '5 seconds', '1m 30s'])('%j is not a duration', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});

describe('re2Problem / compileRe2 (the RE2 subset JavaScript reads the same way)', () => {
  it.each([
    ['^/api/v[0-9]+/.*'],
    ['(?i)^/API'],
    ['/users/(?P<id>[0-9]+)'],
    ['a\\-b\\:c'],
    ['[]a]+'],
    ['[^]]'],
    ['\\d{2,4}'],
  ])('accepts %j', (pattern) => {
    expect(re2Problem(pattern)).toBeNull();
  });

  it.each([
    ['(?<=a)b', 'lookbehind'],
    ['(?<!a)b', 'lookbehind'],
    ['a(?=b)', 'lookahead'],
    ['a(?!b)', 'lookahead'],
    ['(a)\\1', 'backreferences'],
    ['(?<x>a)\\k<x>', 'named backreferences'],
    ['(?>a)', 'atomic'],
    ['(unclosed', 'not supported'],
    ['\\Qa.b\\E', 'not supported'],
  ])('rejects %j (%s)', (pattern, reason) => {
    expect(re2Problem(pattern)).toContain(reason);
  });

  it('rejects patterns longer than 1024 characters', () => {
    expect(re2Problem('x'.repeat(1025))).toContain('too large');
  });

  it('a backslash-digit inside a class is not a backreference', () => {
    expect(re2Problem('[\\1]')).not.toContain('backreferences');
  });

  it.each([
    ['/api/.*', '/api/v1', true],
    ['/api/.*', '/v2/api/v1', false],
    ['(?i)/api', '/API', true],
    ['/users/(?P<id>[0-9]+)', '/users/42', true],
    ['a|b', 'ab', false],
    ['[]a]+', ']a]', true],
    ['[^]]+', 'abc', true],
  ])('compileRe2(%j) matches the whole value: %j → %s', (pattern, value, matches) => {
    expect(compileRe2(pattern).test(value)).toBe(matches);
  });

  it('compileRe2 throws on a rejected pattern', () => {
    expect(() => compileRe2('(?<=a)b')).toThrow('lookbehind');
  });
});

describe('isWildcardDomain (Istio ValidateWildcardDomain)', () => {
  it.each([
    ['reviews', true],
    ['reviews.prod.svc.cluster.local', true],
    ['*.example.com', true],
    ['*', true],
    ['istio.io.', true],
    ['foo.*.com', false],
    ['*foo.com', false],
    ['Reviews', false],
    ['10.0.0.1', false],
    ['', false],
  ])('%j → %s', (host, ok) => {
    expect(isWildcardDomain(host)).toBe(ok);
  });
});
