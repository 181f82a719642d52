import { defaultConnectionPool, defaultLoadBalancer, type EffectiveTrafficPolicy, type HttpRoute, type SidecarEgress } from '@weft/api';
import type { InboundMtlsMode } from '../generators/tls.generator';
import type { AuthzPolicyView } from './authz-policies';
import type { MeshService } from './mesh-service';

/** A DestinationRule as the generators need it, for the host it applies to. */
export interface DestinationRuleView {
  /** `namespace/name` of the document (analyze messages). */
  readonly key: string;
  readonly subsetNames: readonly string[];
  /** The subset's labels, or null when the subset is not defined. */
  subsetLabels(subset: string): Readonly<Record<string, string>> | null;
  /** The traffic policy of (port, subset) after Istio's merge: subset over top level, port-level for the port. */
  clusterPolicy(port: number, subset: string): EffectiveTrafficPolicy;
}

/** A VirtualService for one host: its http routes and the namespace short destination hosts resolve in. */
export interface VirtualServiceView {
  readonly key: string;
  readonly namespace: string;
  readonly http: readonly HttpRoute[];
  /** Whether a match depends on the client (sourceLabels / sourceNamespace): output then varies per client. */
  readonly sourceDependent: boolean;
}

/** A Sidecar's egress listeners (hosts `ns/dnsName`, `.` = the Sidecar's namespace). */
export interface SidecarView {
  readonly key: string;
  readonly namespace: string;
  readonly egress: readonly SidecarEgress[];
}

/** What the generators read of the rules, by fully qualified host. */
export interface RuleLookup {
  destinationRule(host: string): DestinationRuleView | null;
  virtualService(host: string): VirtualServiceView | null;
  /** The Sidecar that applies to a workload (selector match, else namespace-wide, else root namespace). */
  sidecar(namespace: string, labels: Readonly<Record<string, string>>): SidecarView | null;
  /** The AuthorizationPolicies that apply to a workload (root namespace and its own; selector matches), by key. */
  authorizationPolicies(namespace: string, labels: Readonly<Record<string, string>>): readonly AuthzPolicyView[];
  /** The PeerAuthentication mode of a workload's port (PERMISSIVE when no policy sets one). */
  inboundMtlsMode(namespace: string, labels: Readonly<Record<string, string>>, port: number): InboundMtlsMode;
}

export const NO_RULES: RuleLookup = {
  destinationRule: () => null,
  virtualService: () => null,
  sidecar: () => null,
  authorizationPolicies: () => [],
  inboundMtlsMode: () => 'PERMISSIVE',
};

/** The DestinationRule for any of a service's hosts (the canonical host first), or null. */
export function destinationRuleOf(rules: RuleLookup, service: MeshService): DestinationRuleView | null {
  for (const host of service.hosts) {
    const dr = rules.destinationRule(host);
    if (dr !== null) return dr;
  }
  return null;
}

/** The VirtualService for any of a service's hosts (the canonical host first), or null. */
export function virtualServiceOf(rules: RuleLookup, service: MeshService): VirtualServiceView | null {
  for (const host of service.hosts) {
    const vs = rules.virtualService(host);
    if (vs !== null) return vs;
  }
  return null;
}

/** Istio's policy for a host without a DestinationRule. */
export const DEFAULT_POLICY: EffectiveTrafficPolicy = {
  loadBalancer: defaultLoadBalancer(),
  connectionPool: defaultConnectionPool(),
  outlierDetection: null,
  tls: null,
};
