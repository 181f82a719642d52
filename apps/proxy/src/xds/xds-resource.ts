import type { ClusterModel, ListenerModel, RouteConfigModel, VirtualHostModel } from '@weft/proxy-core';
import type { AnyBytes } from '@weft/xds';
import type { ClusterLoadAssignmentModel } from '../config';

/** An EDS resource: the decoded object (re-converted when a cluster weighs localities) and its plain model. */
export interface EndpointsModel {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly plain: ClusterLoadAssignmentModel;
}

export interface RouteConfigEntryModel {
  readonly routeConfig: RouteConfigModel;
  /** Takes more virtual hosts from VHDS (`vhds` set): named `<route config name>/<host>`. */
  readonly vhds: boolean;
}

export interface ClusterEntryModel {
  readonly cluster: ClusterModel;
  /** The EDS resource name of an EDS cluster; null for STATIC. */
  readonly edsServiceName: string | null;
}

/** The model of each xDS type as the store holds it. */
export interface XdsModels {
  readonly listener: ListenerModel;
  readonly routeConfiguration: RouteConfigEntryModel;
  readonly virtualHost: VirtualHostModel;
  readonly cluster: ClusterEntryModel;
  readonly clusterLoadAssignment: EndpointsModel;
}

export type XdsKind = keyof XdsModels;

/** One accepted (ACKed) resource: its name, version, wire bytes (for the cache) and converted model. */
export interface Held<M> {
  readonly name: string;
  readonly version: string;
  readonly any: AnyBytes;
  readonly model: M;
}
