export { loadBootstrap, type BootstrapResult } from './bootstrap.loader';
export {
  claFromProto,
  clusterFromProto,
  clusterResourceFromProto,
  listenerFromProto,
  routeConfigFromProto,
  routeConfigResourceFromProto,
  virtualHostFromProto,
  type ClusterResource,
  type RouteConfigResource,
} from './resource.converters';
export type { ClusterLoadAssignmentModel, LoadAssignmentOptions } from './convert/endpoint.converter';
export { ProxyConfigError, PROXY_CONFIG_ERROR_CODE } from './proxy-config.error';
export { SUPPORT_MATRIX, renderSupportMatrix, type MessageSupport, type SupportMatrix } from './support/support-matrix';
export { envoyProtoRoot } from '@weft/xds';
export { PEAK_EWMA_POLICY_NAME } from './support/type-names';
export { deepFreeze, FrozenMap, FrozenSet } from './frozen';
