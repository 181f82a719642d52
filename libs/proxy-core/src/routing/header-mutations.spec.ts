import type { HeaderMutationsModel, RouteConfigModel } from '../model/config-model';
import { applyHeaderOps, applyHeaderOpsToList, compileHeaderOps } from './header-mutations';
import { forward, hv, mutations, prefix, request, route, routeConfig, vhost } from './route-fixtures.spec-helper';
import { RouteCompileError } from './route-compile-error';
import { compileRouteConfig, matchRoute } from './route-table';
import { pickCluster } from './weighted-cluster';

type Headers = Record<string, string | string[] | undefined>;

/** A config whose single route forwards to one cluster, with mutations at all four levels. */
function layered(levels: {
  cluster?: Partial<HeaderMutationsModel>;
  route?: Partial<HeaderMutationsModel>;
  vhost?: Partial<HeaderMutationsModel>;
  config?: Partial<HeaderMutationsModel>;
}): RouteConfigModel {
  const action = forward('c');
  const clusterAction = { ...action, clusters: [{ ...action.clusters[0], mutations: mutations(levels.cluster ?? {}) }] };
  const r = route('r', prefix('/'), { action: clusterAction, mutations: mutations(levels.route ?? {}) });
  return routeConfig([vhost('vh', ['*'], [r], mutations(levels.vhost ?? {}))], mutations(levels.config ?? {}));
}

function requestOpsOf(model: RouteConfigModel): ReturnType<typeof compileHeaderOps> {
  const r = matchRoute(compileRouteConfig(model), request());
  const cluster = r === null ? null : pickCluster(r, Math.random);
  if (cluster === null) throw new Error('expected a forwarding route');
  return cluster.requestHeaderOps;
}

function applied(model: RouteConfigModel, headers: Headers): Headers {
  applyHeaderOps(requestOpsOf(model), headers);
  return headers;
}

describe('header mutations (Envoy HeaderParser, route config order)', () => {
  it('evaluates cluster → route → virtual host → route config; the later level wins an overwrite', () => {
    const model = layered({
      cluster: { requestHeadersToAdd: [hv('x-level', 'cluster'), hv('x-cluster', '1')] },
      route: { requestHeadersToAdd: [hv('x-level', 'route'), hv('x-route', '1')] },
      vhost: { requestHeadersToAdd: [hv('x-level', 'vhost')] },
      config: { requestHeadersToAdd: [hv('x-level', 'config')] },
    });
    expect(applied(model, {})).toEqual({ 'x-level': 'config', 'x-cluster': '1', 'x-route': '1' });
  });

  it('appends one value per level in that order', () => {
    const model = layered({
      cluster: { requestHeadersToAdd: [hv('x-trail', 'cluster', true)] },
      route: { requestHeadersToAdd: [hv('x-trail', 'route', true)] },
      config: { requestHeadersToAdd: [hv('x-trail', 'config', true)] },
    });
    expect(applied(model, { 'x-trail': 'client' })).toEqual({ 'x-trail': ['client', 'cluster', 'route', 'config'] });
  });

  it('within a level removes first, then overwrites, then appends, whatever the configured order', () => {
    const model = layered({
      route: {
        requestHeadersToAdd: [hv('x-a', 'appended', true), hv('x-a', 'set'), hv('x-removed', 'again')],
        requestHeadersToRemove: ['x-removed', 'x-gone'],
      },
    });
    expect(applied(model, { 'x-a': 'old', 'x-removed': 'old', 'x-gone': 'old', 'x-kept': 'k' }))
      .toEqual({ 'x-a': ['set', 'appended'], 'x-removed': 'again', 'x-gone': undefined, 'x-kept': 'k' });
  });

  it('lets a less specific level remove what a more specific one added', () => {
    const model = layered({ route: { requestHeadersToAdd: [hv('x-a', '1')] }, vhost: { requestHeadersToRemove: ['X-A'] } });
    expect(applied(model, {})).toEqual({});
  });

  it('skips entries with an empty value (keep_empty_value is false)', () => {
    expect(applied(layered({ route: { requestHeadersToAdd: [hv('x-empty', '')] } }), {})).toEqual({});
  });

  it('keeps response mutations apart from request mutations', () => {
    const model = layered({ route: { responseHeadersToAdd: [hv('x-resp', '1')], responseHeadersToRemove: ['server'] } });
    const r = matchRoute(compileRouteConfig(model), request());
    const headers: Headers = { server: 'upstream' };
    applyHeaderOps(r?.clusters[0].responseHeaderOps ?? [], headers);
    expect(headers).toEqual({ server: undefined, 'x-resp': '1' });
    expect(applied(model, {})).toEqual({});
  });

  it('writes non-ASCII values as their UTF-8 bytes (what Node puts on the wire for latin1 strings)', () => {
    expect(applied(layered({ route: { requestHeadersToAdd: [hv('x-name', 'café')] } }), {})).toEqual({ 'x-name': 'caf\u00c3\u00a9' });
  });

  const invalid: ReadonlyArray<readonly [string, Partial<HeaderMutationsModel>, string]> = [
    ['adding a pseudo-header', { requestHeadersToAdd: [hv(':path', '/x')] }, 'virtualHosts.0.routes.0.mutations.requestHeadersToAdd.0.name'],
    ['adding host', { requestHeadersToAdd: [hv('Host', 'x')] }, 'virtualHosts.0.routes.0.mutations.requestHeadersToAdd.0.name'],
    ['removing host', { requestHeadersToRemove: ['host'] }, 'virtualHosts.0.routes.0.mutations.requestHeadersToRemove.0'],
    ['a name that is not a token', { responseHeadersToAdd: [hv('x y', '1')] }, 'virtualHosts.0.routes.0.mutations.responseHeadersToAdd.0.name'],
    ['a value with CR/LF', { requestHeadersToAdd: [hv('x-a', 'a\r\nb: c')] }, 'virtualHosts.0.routes.0.mutations.requestHeadersToAdd.0.value'],
  ];

  it.each(invalid)('rejects %s', (_name, route, path) => {
    expect(() => compileRouteConfig(layered({ route }))).toThrow(RouteCompileError);
    expect(() => compileRouteConfig(layered({ route }))).toThrow(path);
  });
});

describe('applying operations to a flat header list', () => {
  it('removes every value case-insensitively, overwrites and appends in place', () => {
    const ops = compileHeaderOps([{
      mutations: mutations({
        requestHeadersToRemove: ['x-drop'],
        requestHeadersToAdd: [hv('x-set', 'new'), hv('x-add', 'more', true)],
      }),
      path: 'p',
    }], 'request');
    const list = ['Host', 'h', 'X-Drop', '1', 'x-set', 'old', 'x-drop', '2', 'X-Add', 'first', 'X-SET', 'old2'];
    applyHeaderOpsToList(ops, list);
    expect(list).toEqual(['Host', 'h', 'X-Add', 'first', 'x-set', 'new', 'x-add', 'more']);
  });
});
