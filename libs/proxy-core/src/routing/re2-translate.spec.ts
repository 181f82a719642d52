import { Buffer } from 'node:buffer';
import { compileFullMatchRe2, compileGlobalRe2 } from './re2-regexp';
import { translateRe2Substitution } from './re2-substitution';
import { Re2PatternError } from './re2-syntax';

/** Node's view of bytes sent on the wire: UTF-8 bytes, one latin1 char each. */
const wire = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('RE2 → JS translation (full match, as Envoy safe_regex)', () => {
  // [pattern, inputs that must match, inputs that must not] — expectations are RE2's behaviour.
  const cases: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
    ['/api/v[0-9]+/.*', ['/api/v1/x', '/api/v22/'], ['/api/v/x', 'x/api/v1/']],
    ['a|b', ['a', 'b'], ['ab']],
    ['(?i)/Foo', ['/foo', '/FOO', '/fOo'], ['/fo']],
    ['/a(?i)b', ['/ab', '/aB'], ['/AB']],
    ['(?i:ab)c', ['ABc', 'aBc'], ['ABC']],
    ['(?i)[a-c]+', ['aBc', 'CBA'], ['d']],
    ['(?i)[^a]', ['b', 'B'], ['a', 'A']],
    ['a.c', ['abc', 'a\rc'], ['a\nc']], // RE2 '.' matches \r; JS '.' would not
    ['(?s)a.c', ['a\nc'], []],
    ['\\s', [' ', '\t', '\n'], ['\v']], // RE2 \s is [\t\n\f\r ], without \v
    ['\\S+', ['ab'], ['a b']],
    ['[[:digit:]]+', ['123'], ['12a']],
    ['[[:alpha:]_]+', ['a_B'], ['a1']],
    ['\\Qa.b\\E', ['a.b'], ['axb']],
    ['a{2,3}', ['aa', 'aaa'], ['a', 'aaaa']],
    ['a{,2}', ['a{,2}'], ['aa']], // not a valid repetition: literal, as in RE2
    ['x{', ['x{'], []],
    ['[]a]+', [']a]'], ['b']],
    ['[a-c-]+', ['a-c'], ['d']],
    ['\\x41\\101\\x{42}', ['AAB'], []],
    ['\\.\\-\\/', ['.-/'], []],
    ['(?P<word>\\w+)-(?<n>\\d)', ['abc-1'], ['abc-x']],
    ['\\Aabc\\z', ['abc'], ['abcd']],
    ['(?m)^a$', ['a'], ['ab']],
    ['\\bfoo\\b', ['foo'], []],
    ['café', [wire('café')], ['café']], // Envoy compares UTF-8 bytes; Node shows them as latin1
    ['(?i)CAFÉ', [wire('café'), wire('CAFÉ')], []],
    ['', [''], ['a']],
  ];

  it.each(cases)('%s', (pattern, yes, no) => {
    const re = compileFullMatchRe2(pattern);
    for (const input of yes) expect([input, re.test(input)]).toEqual([input, true]);
    for (const input of no) expect([input, re.test(input)]).toEqual([input, false]);
  });

  it('needs no RegExp flags, so V8 can fall back to its linear-time engine on excessive backtracking', () => {
    for (const p of ['(?i)(a+)+b', '(?s).*', '[[:upper:]]\\s']) expect(compileFullMatchRe2(p).flags).toBe('');
  });

  it('applies (?U) by swapping greedy and lazy repetition', () => {
    const { regex } = compileGlobalRe2('(?U)a+');
    expect('aaa'.replace(regex, 'x')).toBe('xxx');
    expect('aaa'.replace(compileGlobalRe2('(?U)a+?').regex, 'x')).toBe('x');
  });

  const rejected: ReadonlyArray<readonly [string, RegExp]> = [
    ['(?=a)a', /lookaround/],
    ['(?<=a)b', /lookaround/],
    ['(?!a)b', /lookaround/],
    ['(?P=n)', /backreference/],
    ['(a)\\1', /backreference/],
    ['\\pL', /Unicode class/],
    ['\\p{Greek}', /Unicode class/],
    ['\\C', /any byte/],
    ['[é]', /non-ASCII/],
    ['[\\S]', /inside \[/],
    ['a**', /repetition/],
    ['*a', /repetition/],
    ['(?i)*', /repetition/],
    ['a{1001}', /over 1000/],
    ['a{3,2}', /bad repetition range/],
    ['(?x)a', /group syntax/],
    ['(a', /missing closing \)/],
    ['a)', /unmatched \)/],
    ['[a', /missing closing \]/],
    ['a\\', /trailing backslash/],
    ['\\8', /invalid escape/],
    ['\\Z', /invalid escape/],
    ['[z-a]', /bad character class range/],
    ['[[:^alpha:]]', /negated POSIX/],
    ['(?<1x>a)', /group name/],
  ];

  it.each(rejected)('rejects %s', (pattern, reason) => {
    expect(() => compileFullMatchRe2(pattern)).toThrow(Re2PatternError);
    expect(() => compileFullMatchRe2(pattern)).toThrow(reason);
  });
});

describe('RE2 substitution → JS replacement', () => {
  const cases: ReadonlyArray<readonly [string, string, string, string]> = [
    // [pattern, substitution, input, RE2 GlobalReplace result]
    ['^/service/([^/]+)(/.*)$', '\\2/instance/\\1', '/service/foo/v1/api', '/v1/api/instance/foo'],
    ['(a)', '\\1\\0', 'xax', 'xaax'],
    ['(a)', '\\10', 'a', 'a0'], // \1 then a literal 0, not group 10
    ['a', '$1\\\\', 'a', '$1\\'], // '$' is literal in RE2
    ['o', '0', 'foo', 'f00'],
  ];

  it.each(cases)('%s with %s on %s', (pattern, substitution, input, expected) => {
    const { regex, groupCount } = compileGlobalRe2(pattern);
    expect(input.replace(regex, translateRe2Substitution(substitution, groupCount))).toBe(expected);
  });

  it('rejects a group the pattern does not have and unknown escapes', () => {
    expect(() => translateRe2Substitution('\\2', 1)).toThrow(/has 1 groups/);
    expect(() => translateRe2Substitution('\\n', 1)).toThrow(/invalid substitution escape/);
  });
});
