import type { HeaderMatcherModel, StringMatcherModel } from '../model/config-model';
import { CompiledHeaderMatcher, matchHeader } from './header-matcher';
import { CompiledQueryMatcher, matchQueryParameters } from './query-matcher';
import { header, query, request, str } from './route-fixtures.spec-helper';
import { CompiledStringMatcher, matchString, matchStringRange } from './string-matcher';

describe('string matcher (envoy.type.matcher.v3.StringMatcher)', () => {
  const cases: ReadonlyArray<readonly [StringMatcherModel, string, boolean]> = [
    [str('exact', 'abc'), 'abc', true],
    [str('exact', 'abc'), 'abcd', false],
    [str('exact', 'abc'), 'ABC', false],
    [str('exact', 'abc', true), 'ABC', true],
    [str('exact', ''), '', true],
    [str('exact', ''), 'x', false],
    [str('prefix', 'ab'), 'abc', true],
    [str('prefix', 'ab'), 'xab', false],
    [str('prefix', 'AB', true), 'abc', true],
    [str('suffix', 'bc'), 'abc', true],
    [str('suffix', 'bc'), 'bca', false],
    [str('suffix', 'BC', true), 'aBc', true],
    [str('contains', 'b'), 'abc', true],
    [str('contains', 'd'), 'abc', false],
    [str('contains', 'B', true), 'abc', true],
    [str('regex', 'a.c'), 'abc', true],
    [str('regex', 'a.c'), 'xabcx', false], // full match, not search
    [str('regex', 'abc', true), 'ABC', false], // ignore_case has no effect on regex (Envoy)
    [str('exact', 'é'), '\u00c3\u00a9', true], // UTF-8 bytes as Node's latin1 view
    [str('exact', 'é'), 'é', false],
  ];

  it.each(cases)('%j on %j → %s', (model, input, expected) => {
    expect(matchString(new CompiledStringMatcher(model), input)).toBe(expected);
  });

  it('matches a sub-range without looking outside it', () => {
    const s = 'x=abc&y=abcd';
    expect(matchStringRange(new CompiledStringMatcher(str('exact', 'abc')), s, 2, 5)).toBe(true);
    expect(matchStringRange(new CompiledStringMatcher(str('contains', 'd')), s, 2, 5)).toBe(false);
    expect(matchStringRange(new CompiledStringMatcher(str('suffix', 'bc')), s, 2, 5)).toBe(true);
    expect(matchStringRange(new CompiledStringMatcher(str('regex', 'ab+c')), s, 2, 5)).toBe(true);
  });
});

describe('header matcher (Envoy HeaderUtility::matchHeaders)', () => {
  const present: StringMatcherModel | null = null;
  const headers = { 'x-env': 'prod', 'x-multi': ['a', 'b'], 'x-empty': '' };
  // [matcher, expected] against the request `headers` above.
  const cases: ReadonlyArray<readonly [string, HeaderMatcherModel, boolean]> = [
    ['exact hit', header('x-env', str('exact', 'prod')), true],
    ['exact miss', header('x-env', str('exact', 'dev')), false],
    ['prefix', header('x-env', str('prefix', 'pr')), true],
    ['suffix', header('x-env', str('suffix', 'od')), true],
    ['contains', header('x-env', str('contains', 'ro')), true],
    ['regex', header('x-env', str('regex', 'p.*d')), true],
    ['name is case-insensitive', header('X-Env', str('exact', 'prod')), true],
    ['values joined with ","', header('x-multi', str('exact', 'a,b')), true],
    ['present', header('x-env', present), true],
    ['present on empty value', header('x-empty', present), true],
    ['present, missing', header('x-nope', present), false],
    ['absent (present_match false), missing', header('x-nope', present, { presentMatch: false }), true],
    ['absent (present_match false), present', header('x-env', present, { presentMatch: false }), false],
    ['inverted exact miss', header('x-env', str('exact', 'dev'), { invert: true }), true],
    ['inverted exact hit', header('x-env', str('exact', 'prod'), { invert: true }), false],
    ['inverted value on missing header does not match', header('x-nope', str('exact', 'dev'), { invert: true }), false],
    ['inverted present on missing header matches', header('x-nope', present, { invert: true }), true],
    ['inverted present on present header', header('x-env', present, { invert: true }), false],
    ['inverted absent on missing header', header('x-nope', present, { presentMatch: false, invert: true }), false],
    ['missing, value matcher', header('x-nope', str('exact', '')), false],
    ['missing treated as empty', header('x-nope', str('exact', ''), { treatMissingAsEmpty: true }), true],
    ['missing treated as empty, inverted', header('x-nope', str('prefix', 'a'), { treatMissingAsEmpty: true, invert: true }), true],
    [':method', header(':method', str('exact', 'POST')), true],
    [':authority', header(':authority', str('suffix', '.local')), true],
    [':path includes the query', header(':path', str('suffix', '?q=1')), true],
    [':scheme', header(':scheme', str('exact', 'https')), true],
  ];

  it.each(cases)('%s', (_name, model, expected) => {
    const req = request({ method: 'POST', authority: 'svc.local', path: '/a?q=1', scheme: 'https', headers });
    expect(matchHeader(new CompiledHeaderMatcher(model), req)).toBe(expected);
  });

  it('treats an empty value array as a missing header', () => {
    const req = request({ headers: { 'x-a': [] } });
    expect(matchHeader(new CompiledHeaderMatcher(header('x-a', null)), req)).toBe(false);
  });
});

describe('query parameter matcher (Envoy QueryParameterMatcher)', () => {
  const run = (path: string, m: ReturnType<typeof query>, decode = false): boolean =>
    matchQueryParameters([new CompiledQueryMatcher(m)], path, path.indexOf('?'), decode);

  const cases: ReadonlyArray<readonly [string, string, ReturnType<typeof query>, boolean]> = [
    ['exact', '/p?a=1&b=2', query('b', str('exact', '2')), true],
    ['exact miss', '/p?a=1&b=2', query('b', str('exact', '3')), false],
    ['presence', '/p?a=1&b', query('b'), true],
    ['presence, absent', '/p?a=1', query('b'), false],
    ['no query string', '/p', query('a'), false],
    ['no "=" means empty value', '/p?flag', query('flag', str('exact', '')), true],
    ['only the first occurrence counts', '/p?a=1&a=2', query('a', str('exact', '2')), false],
    ['name is not a prefix match', '/p?ab=1', query('a'), false],
    ['regex on the value only', '/p?a=123&b=x', query('a', str('regex', '[0-9]+')), true],
    ['prefix ignoring case', '/p?a=HeLLo', query('a', str('prefix', 'hel', true)), true],
    ['not decoded (Envoy)', '/p?a=x%20y', query('a', str('exact', 'x y')), false],
    ['raw escape matches as sent', '/p?a=x%20y', query('a', str('exact', 'x%20y')), true],
  ];

  it.each(cases)('%s', (_name, path, m, expected) => {
    expect(run(path, m)).toBe(expected);
  });

  it('percent-decodes names and values to bytes when asked', () => {
    expect(run('/p?a=x%20y', query('a', str('exact', 'x y')), true)).toBe(true);
    expect(run('/p?a%62=1', query('ab', str('exact', '1')), true)).toBe(true);
    expect(run('/p?a=caf%C3%A9', query('a', str('exact', 'café')), true)).toBe(true);
    expect(run('/p?a=100%', query('a', str('exact', '100%')), true)).toBe(true); // bad escape kept
    expect(run('/p?a=x+y', query('a', str('exact', 'x y')), true)).toBe(false); // '+' is not a space
  });

  it('needs every matcher to hold', () => {
    const ms = [new CompiledQueryMatcher(query('a')), new CompiledQueryMatcher(query('b', str('exact', '2')))];
    expect(matchQueryParameters(ms, '/p?b=2&a', 2, false)).toBe(true);
    expect(matchQueryParameters(ms, '/p?b=3&a', 2, false)).toBe(false);
  });
});
