import type { RouteActionModel, RouteMatchModel } from '../model/config-model';
import { rewritePath } from './path-rewrite';
import { exact, forward, prefix, regex, request, route, routeConfig, separated, vhost } from './route-fixtures.spec-helper';
import { compileRouteConfig, matchRoute } from './route-table';

function routeFor(path: RouteMatchModel['path'], action: RouteActionModel, caseSensitive = true) {
  const table = compileRouteConfig(routeConfig([vhost('vh', ['*'], [route('r', path, { action, caseSensitive })])]));
  return (requestPath: string): string => {
    const r = matchRoute(table, request({ path: requestPath }));
    if (r === null) throw new Error(`no route for ${requestPath}`);
    return rewritePath(r, requestPath);
  };
}

const prefixTo = (to: string): RouteActionModel => forward('c', { prefixRewrite: to });
const regexTo = (pattern: string, substitution: string): RouteActionModel => forward('c', { regexRewrite: { pattern, substitution } });
const redirect: RouteActionModel = {
  kind: 'redirect', schemeRedirect: null, hostRedirect: null, portRedirect: null, pathRedirect: null,
  prefixRewrite: '/new', responseCode: 301, stripQuery: false,
};

describe('path rewriting (Envoy prefix_rewrite / regex_rewrite)', () => {
  const cases: ReadonlyArray<readonly [string, RouteMatchModel['path'], RouteActionModel, string, string]> = [
    ['prefix keeps the rest and the query', prefix('/api'), prefixTo('/v2'), '/api/users?id=1', '/v2/users?id=1'],
    ['prefix "/prefix/" to "/" drops the segment', prefix('/prefix/'), prefixTo('/'), '/prefix/etc', '/etc'],
    ['prefix "/prefix" to "/" keeps the slash', prefix('/prefix'), prefixTo('/'), '/prefix/etc', '//etc'],
    ['exact path replaced whole, query kept', exact('/old'), prefixTo('/new'), '/old?x=1', '/new?x=1'],
    ['path_separated_prefix', separated('/api/dev'), prefixTo('/dev'), '/api/dev/v1', '/dev/v1'],
    ['safe_regex route: the whole path is the matched part', regex('/items/[0-9]+'), prefixTo('/item'), '/items/42?full=1', '/item?full=1'],
    ['regex with groups', prefix('/service'), regexTo('^/service/([^/]+)(/.*)$', '\\2/instance/\\1'), '/service/foo/v1/api?q', '/v1/api/instance/foo?q'],
    ['regex replaces every match', prefix('/'), regexTo('o', '0'), '/foo/boo', '/f00/b00'],
    ['regex ignores the query string', prefix('/'), regexTo('a', 'b'), '/a?a=a', '/b?a=a'],
    ['regex producing "" leaves the path alone', prefix('/'), regexTo('.*', ''), '/x?q', '/x?q'],
    ['no rewrite configured', prefix('/'), forward('c'), '/same?q', '/same?q'],
    ['redirect prefix_rewrite gives the Location path', prefix('/old'), redirect, '/old/a?b', '/new/a?b'],
  ];

  it.each(cases)('%s', (_name, match, action, input, expected) => {
    expect(routeFor(match, action)(input)).toBe(expected);
  });

  it('replaces a case-insensitively matched prefix by length', () => {
    expect(routeFor(prefix('/api'), prefixTo('/v2'), false)('/API/x')).toBe('/v2/x');
  });

  it('returns the very same string when nothing changes (no allocation)', () => {
    const path = '/same?q';
    expect(routeFor(prefix('/'), forward('c'))(path)).toBe(path);
  });
});

describe('host rewrite', () => {
  it('exposes host_rewrite_literal, null when unset', () => {
    const table = compileRouteConfig(routeConfig([vhost('vh', ['*'], [
      route('rewritten', prefix('/a'), { action: forward('c', { hostRewriteLiteral: 'upstream.internal' }) }),
      route('plain', prefix('/')),
    ])]));
    expect(matchRoute(table, request({ path: '/a' }))?.hostRewrite).toBe('upstream.internal');
    expect(matchRoute(table, request({ path: '/b' }))?.hostRewrite).toBeNull();
  });
});
