/**
 * Istio rules (networking.istio.io v1 / v1beta1 / v1alpha3, security.istio.io v1 / v1beta1) as Weft accepts them:
 * parse and validate batches of documents, get typed, normalized specs with Istio's defaults.
 * See docs/rules.md for what is honoured and what is rejected.
 */
export { parseRuleDocuments, validateRuleObjects, formatRuleDocuments } from './documents';
export {
  RULE_KINDS,
  RULE_API_GROUP,
  RULE_API_VERSIONS,
  SECURITY_API_GROUP,
  SECURITY_API_VERSIONS,
  ruleKey,
  type RuleKind,
  type RuleMeta,
  type RuleSpecs,
  type RuleDocument,
  type RuleDocumentOf,
} from './rule-document';
export { RuleValidationError, RULES_INVALID, formatPath, type RuleIssue } from './rule-errors';
export type { StringMatch, KeyedMatch, IstioProtocol } from './common.schema';
export { ISTIO_PROTOCOLS } from './common.schema';
export { parseDurationMs } from './duration';
export { compileRe2, re2Problem } from './re2';
export type {
  VirtualService,
  HttpRoute,
  HttpMatch,
  RouteDestination,
  Destination,
  HeaderOperations,
  HeaderOps,
  HttpRedirect,
  HttpDirectResponse,
  HttpRewrite,
  HttpRetry,
  HttpFault,
  HttpFaultDelay,
  HttpFaultAbort,
  HttpMirror,
  TcpRoute,
  TcpRouteDestination,
  L4Match,
} from './virtual-service.types';
export { virtualServiceSpec } from './virtual-service.schema';
export { DEFAULT_RETRY_ON, DEFAULT_RETRIABLE_STATUS_CODES, DEFAULT_RETRY_BACKOFF_MS, defaultHttpRetry } from './http-policy.schema';
export type {
  DestinationRule,
  TrafficPolicy,
  PortTrafficPolicy,
  PolicyBlocks,
  EffectiveTrafficPolicy,
  Subset,
  LoadBalancer,
  SimpleLb,
  ConsistentHash,
  HashKey,
  HashAlgorithm,
  ConnectionPool,
  TcpPoolSettings,
  HttpPoolSettings,
  TcpKeepalive,
  OutlierDetection,
  ClientTls,
} from './destination-rule.types';
export { destinationRuleSpec } from './destination-rule.schema';
export { defaultConnectionPool, defaultLoadBalancer } from './traffic-policy.schema';
export { resolveTrafficPolicy } from './traffic-policy';
export { serviceEntrySpec, type ServiceEntry, type ServiceEntryPort, type ServiceEntryResolution } from './service-entry.schema';
export { workloadEntrySpec, type WorkloadEntry } from './workload-entry.schema';
export {
  sidecarSpec,
  type Sidecar,
  type SidecarEgress,
  type SidecarIngress,
  type SidecarHost,
  type SidecarPort,
  type CaptureMode,
} from './sidecar.schema';
export {
  peerAuthenticationSpec,
  MTLS_MODES,
  type PeerAuthentication,
  type PeerAuthenticationMtls,
  type MtlsMode,
} from './peer-authentication.schema';
export {
  authorizationPolicySpec,
  AUTHZ_CONDITION_KEYS,
  type AuthorizationPolicy,
  type AuthorizationAction,
  type AuthorizationRule,
  type AuthorizationSource,
  type AuthorizationOperation,
  type AuthorizationCondition,
} from './authorization-policy.schema';
