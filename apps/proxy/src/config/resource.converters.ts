import type { ClusterModel, ListenerModel, RouteConfigModel, VirtualHostModel } from '@weft/proxy-core';
import { ConfigContext } from './config-context';
import { cluster } from './convert/cluster.converter';
import { type ClusterLoadAssignmentModel, loadAssignment, type LoadAssignmentOptions } from './convert/endpoint.converter';
import { listener } from './convert/listener.converter';
import { routeConfig, virtualHost } from './convert/route-config.converter';
import { deepFreeze } from './frozen';
import { protoFromJson } from './proto/proto-json';
import type { ProtoMessage } from './proto/proto-value';
import { SUPPORT_POLICY } from './support/support-matrix';
import { TYPE } from './support/type-names';

/**
 * Per-resource converters (the bootstrap loader and the xDS client): the proto3-JSON form of one
 * Envoy resource (YAML/JSON as Envoy accepts it, or protobufjs `toObject(message, { json: true,
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

/** A cluster and, for an EDS cluster, the EDS resource name its endpoints come from. */
export interface ClusterResource {
  readonly cluster: ClusterModel;
  /** eds_cluster_config.service_name, else the cluster name; null for a STATIC cluster. */
  readonly edsServiceName: string | null;
}

export function clusterResourceFromProto(obj: unknown, path = ''): ClusterResource {
  return convertResource(TYPE.cluster, obj, path, (m, p, ctx) => {
    const model = cluster(m, p, ctx);
    const eds = ctx.dynamicRefs.find((r) => r.kind === 'eds');
    return { cluster: model, edsServiceName: eds === undefined ? null : eds.name };
  });
}

export function routeConfigFromProto(obj: unknown, path = ''): RouteConfigModel {
  return convertResource(TYPE.routeConfiguration, obj, path, routeConfig);
}

/** A route configuration and whether it takes more virtual hosts from VHDS. */
export interface RouteConfigResource {
  readonly routeConfig: RouteConfigModel;
  readonly vhds: boolean;
}

export function routeConfigResourceFromProto(obj: unknown, path = ''): RouteConfigResource {
  return convertResource(TYPE.routeConfiguration, obj, path, (m, p, ctx) => ({
    routeConfig: routeConfig(m, p, ctx),
    vhds: ctx.dynamicRefs.some((r) => r.kind === 'vhds'),
  }));
}

/** A VHDS resource (envoy.config.route.v3.VirtualHost), converted like one inside a route configuration. */
export function virtualHostFromProto(obj: unknown, path = ''): VirtualHostModel {
  return convertResource(TYPE.virtualHost, obj, path, virtualHost);
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
