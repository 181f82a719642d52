import type { ClusterModel, ListenerModel, RouteConfigModel } from '@weft/proxy-core';
import { ConfigContext } from './config-context';
import { cluster } from './convert/cluster.converter';
import { type ClusterLoadAssignmentModel, loadAssignment, type LoadAssignmentOptions } from './convert/endpoint.converter';
import { listener } from './convert/listener.converter';
import { routeConfig } from './convert/route-config.converter';
import { deepFreeze } from './frozen';
import { protoFromJson } from './proto/proto-json';
import type { ProtoMessage } from './proto/proto-value';
import { SUPPORT_POLICY } from './support/support-matrix';
import { TYPE } from './support/type-names';

/**
 * Per-resource converters (the bootstrap loader and, later, the xDS client): the proto3-JSON form of
 * one Envoy resource (YAML/JSON as Envoy accepts it, or protobufjs `toObject(message, { json: true,
 * enums: String, longs: Number })` of a decoded resource with snake_case field names) → a frozen model.
 * `path` prefixes every reported field path. Problems throw one ProxyConfigError listing all of them.
 * References to other resources (clusters named by routes) are not checked here: with xDS they may
 * arrive later.
 */
export function listenerFromProto(obj: unknown, path = ''): ListenerModel {
  return convertResource(TYPE.listener, obj, path, listener);
}

export function clusterFromProto(obj: unknown, path = ''): ClusterModel {
  return convertResource(TYPE.cluster, obj, path, cluster);
}

export function routeConfigFromProto(obj: unknown, path = ''): RouteConfigModel {
  return convertResource(TYPE.routeConfiguration, obj, path, routeConfig);
}

/** An EDS resource. `localityWeighted`: the cluster sets locality_weighted_lb_config (default false). */
export function claFromProto(obj: unknown, path = '', options: LoadAssignmentOptions = { localityWeighted: false }): ClusterLoadAssignmentModel {
  return convertResource(TYPE.clusterLoadAssignment, obj, path, (m, p, ctx) => loadAssignment(m, p, options, ctx));
}

function convertResource<T>(typeName: string, obj: unknown, path: string, convert: (m: ProtoMessage, path: string, ctx: ConfigContext) => T): T {
  const ctx = new ConfigContext();
  const message = protoFromJson(typeName, obj, path, ctx, SUPPORT_POLICY);
  ctx.throwIfAny('');
  const model = convert(message ?? {}, path, ctx);
  ctx.throwIfAny('');
  return deepFreeze(model);
}
