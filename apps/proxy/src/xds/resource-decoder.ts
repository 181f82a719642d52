import { compileRouteConfig, RouteCompileError, type HeaderMutationsModel, type RouteConfigModel } from '@weft/proxy-core';
import { isWeftError } from '@weft/shared';
import { decodeResource, TYPE_URL, typeNameOfUrl, type AnyBytes } from '@weft/xds';
import { claFromProto, clusterResourceFromProto, listenerFromProto, ProxyConfigError, routeConfigResourceFromProto, virtualHostFromProto } from '../config';
import type { XdsKind, XdsModels } from './xds-resource';

const KIND_OF_URL: ReadonlyMap<string, XdsKind> = new Map<string, XdsKind>([
  [TYPE_URL.listener, 'listener'],
  [TYPE_URL.routeConfiguration, 'routeConfiguration'],
  [TYPE_URL.virtualHost, 'virtualHost'],
  [TYPE_URL.cluster, 'cluster'],
  [TYPE_URL.clusterLoadAssignment, 'clusterLoadAssignment'],
]);

/** The xDS kind of a type URL the proxy subscribes to, else undefined. */
export function kindOfUrl(typeUrl: string): XdsKind | undefined {
  return KIND_OF_URL.get(typeUrl);
}

/** Why a resource was rejected: its name and every field path with its reason (the NACK's message). */
export class XdsResourceError extends Error {
  constructor(
    readonly resource: string,
    readonly detail: string,
  ) {
    super(`${resource}: ${detail}`);
    this.name = 'XdsResourceError';
  }
}

const NO_MUTATIONS: HeaderMutationsModel = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] };

type Converter<K extends XdsKind> = (obj: Record<string, unknown>) => XdsModels[K];

/** Converts and checks that the route tables compile, exactly as the listeners will compile them. */
const CONVERTERS: { readonly [K in XdsKind]: Converter<K> } = {
  listener: (obj) => {
    const l = listenerFromProto(obj);
    if (l.http?.routeConfig != null) compiles(l.http.routeConfig, 'filter_chains[0].filters[0].typed_config.route_config');
    return l;
  },
  routeConfiguration: (obj) => {
    const r = routeConfigResourceFromProto(obj);
    compiles(r.routeConfig, '');
    return r;
  },
  virtualHost: (obj) => {
    const vh = virtualHostFromProto(obj);
    compiles({ name: vh.name, virtualHosts: [vh], mutations: NO_MUTATIONS }, '');
    return vh;
  },
  cluster: (obj) => {
    const c = clusterResourceFromProto(obj);
    return { cluster: c.cluster, edsServiceName: c.edsServiceName };
  },
  clusterLoadAssignment: (obj) => ({ raw: obj, plain: claFromProto(obj) }),
};

function compiles(model: RouteConfigModel, prefix: string): void {
  try {
    compileRouteConfig(model);
  } catch (err) {
    if (!(err instanceof RouteCompileError)) throw err;
    throw new ProxyConfigError('', [{ path: prefix === '' ? `(model) ${err.path}` : `${prefix} (model ${err.path})`, message: err.message }], { cause: err });
  }
}

/** The name a resource carries inside itself (SotW responses have no other). */
export function nameInResource(kind: XdsKind, obj: Readonly<Record<string, unknown>>): string {
  const v = kind === 'clusterLoadAssignment' ? obj['cluster_name'] : obj['name'];
  return typeof v === 'string' ? v : '';
}

/** Decodes the bytes of one resource; throws XdsResourceError naming it. */
export function decodeAny(typeUrl: string, any: AnyBytes, label: string): Record<string, unknown> {
  if (any.type_url !== typeUrl) throw new XdsResourceError(label, `resource type ${any.type_url} in a ${typeNameOfUrl(typeUrl)} response`);
  try {
    return decodeResource(any);
  } catch (err) {
    throw new XdsResourceError(label, `does not decode: ${(err as Error).message}`);
  }
}

/**
 * One resource → its model, with every problem found (converter field paths, route compile errors)
 * in one XdsResourceError: `Cluster "outbound|9080|v1|reviews": connect_timeout: expected duration`.
 */
export function convertXds<K extends XdsKind>(kind: K, name: string, obj: Record<string, unknown>): XdsModels[K] {
  const label = `${typeNameOfUrl(urlOf(kind)).split('.').pop() ?? kind} "${name}"`;
  try {
    return (CONVERTERS[kind] as Converter<K>)(obj);
  } catch (err) {
    if (err instanceof ProxyConfigError) throw new XdsResourceError(label, err.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    throw new XdsResourceError(label, isWeftError(err) || err instanceof Error ? err.message : String(err));
  }
}

export function urlOf(kind: XdsKind): string {
  return TYPE_URL[kind];
}
