import type { RouteConfigModel, RouteModel } from '../model/config-model';
import {
  exact,
  forward,
  header,
  prefix,
  query,
  regex,
  request,
  route,
  routeConfig,
  separated,
  str,
  vhost,
} from './route-fixtures.spec-helper';
import { RouteCompileError } from './route-compile-error';
import { compileRouteConfig, matchRoute, selectVirtualHost } from './route-table';

describe('virtual host selection (Envoy domain order)', () => {
  const table = compileRouteConfig(routeConfig([
    vhost('exact', ['www.foo.com', 'api.foo.com:8443'], []),
    vhost('suffix-short', ['*.foo.com'], []),
    vhost('suffix-long', ['*-bar.foo.com'], []),
    vhost('prefix-short', ['foo.*'], []),
    vhost('prefix-long', ['foo.bar.*'], []),
    vhost('ported-suffix', ['*:9090'], []),
    vhost('any', ['*'], []),
  ]));

  const cases: ReadonlyArray<readonly [string, string]> = [
    ['www.foo.com', 'exact'],
    ['WWW.Foo.COM', 'exact'], // case-insensitive
    ['x.foo.com', 'suffix-short'],
    ['baz-bar.foo.com', 'suffix-long'], // longest suffix wins
    ['-bar.foo.com', 'suffix-short'], // a wildcard never matches the empty string
    ['.foo.com', 'any'],
    ['foo.com', 'prefix-short'], // not *.foo.com (the wildcard needs a character), but foo.*
    ['foo.org', 'prefix-short'],
    ['foo.bar.org', 'prefix-long'], // longest prefix wins
    ['www.foo.com.net', 'any'],
    ['x.foo.com:80', 'suffix-short'], // retried without the port
    ['www.foo.com:80', 'exact'],
    ['api.foo.com:8443', 'exact'], // a domain with a port matches as sent
    ['api.foo.com', 'suffix-short'],
    ['x.foo.com:9090', 'ported-suffix'], // as sent first: *:9090 beats *.foo.com
    ['foo.org:80', 'prefix-short'], // prefix wildcards see the port as part of the host
    ['[::1]:80', 'any'],
    ['other', 'any'],
  ];

  it.each(cases)('%s → %s', (authority, expected) => {
    expect(selectVirtualHost(table, authority)?.name).toBe(expected);
  });

  it('finds nothing without a match and without "*"', () => {
    const noDefault = compileRouteConfig(routeConfig([vhost('a', ['a.com'], [])]));
    expect(selectVirtualHost(noDefault, 'b.com')).toBeNull();
    expect(selectVirtualHost(noDefault, 'a.com:1234')?.name).toBe('a');
  });

  it('uses the "*" virtual host for any authority when it is the only one', () => {
    const only = compileRouteConfig(routeConfig([vhost('any', ['*'], [])]));
    expect(selectVirtualHost(only, '')?.name).toBe('any');
  });

  it('scans small wildcard groups and looks large ones up by key alike', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => vhost(n, [`*.${n}.com`], []));
    const t = compileRouteConfig(routeConfig(many));
    expect(selectVirtualHost(t, 'x.e.com')?.name).toBe('e');
    expect(selectVirtualHost(t, 'x.z.com')).toBeNull();
  });
});

describe('route matching', () => {
  const routes: RouteModel[] = [
    route('exact', exact('/exact')),
    route('exact-nocase', exact('/NoCase'), { caseSensitive: false }),
    route('separated', separated('/api/dev')),
    route('regex', regex('/items/[0-9]+')),
    route('grpc', prefix('/pkg.Svc/'), { grpc: true }),
    route('header', prefix('/h'), { headers: [header('x-canary', str('exact', '1'))] }),
    route('inverted', prefix('/h'), { headers: [header('x-canary', str('exact', '1'), { invert: true })] }),
    route('query', prefix('/q'), { queryParameters: [query('v', str('exact', '2'))] }),
    route('method', prefix('/m'), { headers: [header(':method', str('exact', 'POST'))] }),
    route('prefix-nocase', prefix('/Lower'), { caseSensitive: false }),
    route('catch-all', prefix('/')),
  ];
  const table = compileRouteConfig(routeConfig([vhost('vh', ['*'], routes)]));
  const at = (path: string, extra: Parameters<typeof request>[0] = {}): string | undefined =>
    matchRoute(table, request({ path, ...extra }))?.name;

  const cases: ReadonlyArray<readonly [string, Parameters<typeof request>[0], string]> = [
    ['/exact', {}, 'exact'],
    ['/exact?x=1', {}, 'exact'], // the query string is not part of the path
    ['/exact#frag', {}, 'exact'],
    ['/exact/', {}, 'catch-all'],
    ['/EXACT', {}, 'catch-all'], // case-sensitive by default
    ['/nocase', {}, 'exact-nocase'],
    ['/api/dev', {}, 'separated'],
    ['/api/dev/v1', {}, 'separated'],
    ['/api/dev?x', {}, 'separated'],
    ['/api/developer', {}, 'catch-all'],
    ['/items/42', {}, 'regex'],
    ['/items/42?page=2', {}, 'regex'],
    ['/items/42/x', {}, 'catch-all'], // regex must match the whole path
    ['/pkg.Svc/Call', { headers: { 'content-type': 'application/grpc' } }, 'grpc'],
    ['/pkg.Svc/Call', { headers: { 'content-type': 'application/grpc+proto' } }, 'grpc'],
    ['/pkg.Svc/Call', { headers: { 'content-type': 'application/grpc-web' } }, 'catch-all'],
    ['/pkg.Svc/Call', {}, 'catch-all'],
    ['/h', { headers: { 'x-canary': '1' } }, 'header'],
    ['/h', { headers: { 'x-canary': '0' } }, 'inverted'],
    ['/h', {}, 'catch-all'], // an inverted value matcher does not match a missing header
    ['/q?v=2', {}, 'query'],
    ['/q?v=3', {}, 'catch-all'],
    ['/m', { method: 'POST' }, 'method'],
    ['/m', { method: 'GET' }, 'catch-all'],
    ['/lowercase/x', {}, 'prefix-nocase'],
  ];

  it.each(cases)('%s %j → %s', (path, extra, expected) => {
    expect(at(path, extra)).toBe(expected);
  });

  it('returns the first matching route in configuration order', () => {
    const t = compileRouteConfig(routeConfig([vhost('vh', ['*'], [route('broad', prefix('/')), route('narrow', exact('/a'))])]));
    expect(matchRoute(t, request({ path: '/a' }))?.name).toBe('broad');
  });

  it('returns null when no route matches', () => {
    const t = compileRouteConfig(routeConfig([vhost('vh', ['*'], [route('a', prefix('/a'))])]));
    expect(matchRoute(t, request({ path: '/b' }))).toBeNull();
    expect(matchRoute(compileRouteConfig(routeConfig([])), request())).toBeNull();
  });

  it('hands back the route with its virtual host and model', () => {
    const r = matchRoute(table, request({ path: '/exact' }));
    expect(r?.virtualHost.name).toBe('vh');
    expect(r?.model).toBe(routes[0]);
    expect(Object.isFrozen(r)).toBe(true);
  });
});

describe('compile errors', () => {
  const withRoute = (r: RouteModel): RouteConfigModel => routeConfig([vhost('vh', ['*'], [route('ok', prefix('/')), r])]);
  const cases: ReadonlyArray<readonly [string, RouteConfigModel, string, RegExp]> = [
    ['lookahead in a path regex', withRoute(route('bad', regex('/(?=a)'))), 'virtualHosts.0.routes.1.match.path.value', /route "bad" in virtual host "vh".*lookaround/],
    ['bad header regex', withRoute(route('bad', prefix('/'), { headers: [header('x', str('regex', '(a'))] })), 'virtualHosts.0.routes.1.match.headers.0.match.value', /missing closing/],
    ['bad query regex', withRoute(route('bad', prefix('/'), { queryParameters: [query('x', str('regex', '\\pL'))] })), 'virtualHosts.0.routes.1.match.queryParameters.0.match.value', /Unicode/],
    ['bad rewrite pattern', withRoute(route('bad', prefix('/'), { action: forward('c', { regexRewrite: { pattern: '(?<=a)', substitution: '' } }) })), 'virtualHosts.0.routes.1.action.regexRewrite.pattern', /lookaround/],
    ['bad rewrite substitution', withRoute(route('bad', prefix('/'), { action: forward('c', { regexRewrite: { pattern: '(a)', substitution: '\\2' } }) })), 'virtualHosts.0.routes.1.action.regexRewrite.substitution', /groups/],
    ['both rewrites', withRoute(route('bad', prefix('/'), { action: forward('c', { prefixRewrite: '/x', regexRewrite: { pattern: 'a', substitution: 'b' } }) })), 'virtualHosts.0.routes.1.action.regexRewrite', /only one of/],
    ['path_separated_prefix ending in /', withRoute(route('bad', separated('/api/'))), 'virtualHosts.0.routes.1.match.path.value', /must not/],
    ['zero total weight', withRoute(route('bad', prefix('/'), { action: forward([['a', 0], ['b', 0]]) })), 'virtualHosts.0.routes.1.action.clusters', /sum of cluster weights/],
    ['negative weight', withRoute(route('bad', prefix('/'), { action: forward([['a', -1], ['b', 2]]) })), 'virtualHosts.0.routes.1.action.clusters.0.weight', /non-negative/],
    ['duplicate domain', routeConfig([vhost('a', ['x.com'], []), vhost('b', ['X.com'], [])]), 'virtualHosts.1.domains.0', /duplicate domain/],
    ['two "*" virtual hosts', routeConfig([vhost('a', ['*'], []), vhost('b', ['*'], [])]), 'virtualHosts.1.domains.0', /duplicate domain/],
  ];

  it.each(cases)('%s', (_name, model, path, message) => {
    let caught: unknown = null;
    try {
      compileRouteConfig(model);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RouteCompileError);
    expect((caught as RouteCompileError).path).toBe(path);
    expect((caught as RouteCompileError).code).toBe('WEFT_ERR_ROUTE_COMPILE');
    expect((caught as RouteCompileError).message).toMatch(message);
  });
});
