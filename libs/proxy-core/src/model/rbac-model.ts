import type { HeaderMatcherModel, StringMatcherModel } from './config-model';

/**
 * envoy.extensions.filters.http.rbac.v3.RBAC as weft-proxy runs it. Envoy's Permission and Principal
 * trees share one node type here: both are and/or/not over leaf attribute tests, and a leaf reads the
 * request (method, path, headers), the connection (ports, addresses, SNI) or the peer identity.
 */

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

export interface CidrRangeModel {
  readonly address: string;
  readonly prefixLen: number;
}

export type RbacMatcherModel =
  | { readonly kind: 'any' }
  | { readonly kind: 'and'; readonly rules: readonly RbacMatcherModel[] }
  | { readonly kind: 'or'; readonly rules: readonly RbacMatcherModel[] }
  | { readonly kind: 'not'; readonly rule: RbacMatcherModel }
  | { readonly kind: 'header'; readonly header: HeaderMatcherModel }
  /** Permission/Principal `url_path`: the path without query string. */
  | { readonly kind: 'url_path'; readonly match: StringMatcherModel }
  | { readonly kind: 'destination_ip'; readonly cidr: CidrRangeModel }
  | { readonly kind: 'destination_port'; readonly port: number }
  /** [start, end) as Envoy's Int32Range. */
  | { readonly kind: 'destination_port_range'; readonly start: number; readonly end: number }
  | { readonly kind: 'requested_server_name'; readonly match: StringMatcherModel }
  /** The peer's certificate identity (URI SAN); null principal_name: any authenticated peer. */
  | { readonly kind: 'authenticated'; readonly principalName: StringMatcherModel | null }
  | { readonly kind: 'direct_remote_ip'; readonly cidr: CidrRangeModel }
  | { readonly kind: 'remote_ip'; readonly cidr: CidrRangeModel };

export interface RbacPolicyModel {
  /** The key in `policies` (Istio: `ns[<ns>]-policy[<name>]-rule[<i>]`). */
  readonly name: string;
  /** ORed; a policy matches when one permission AND one principal match. */
  readonly permissions: readonly RbacMatcherModel[];
  readonly principals: readonly RbacMatcherModel[];
}

export interface RbacModel {
  /** null: no `rules` — the filter lets everything through (Envoy). */
  readonly action: RbacAction | null;
  /** In key order (Envoy evaluates a map; the first match names the decision). */
  readonly policies: readonly RbacPolicyModel[];
}
