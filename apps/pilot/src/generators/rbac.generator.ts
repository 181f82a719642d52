import type { AuthorizationAction, AuthorizationCondition, AuthorizationOperation, AuthorizationRule, AuthorizationSource } from '@weft/api';
import type { AuthzPolicyView } from '../model/authz-policies';
import { cidr, headerMatch, hostMatches, namespaceMatch, pathMatch, portMatch, principalMatch, stringMatch } from './rbac-matchers';
import { ROUTER_FILTER_NAME, TYPE_PREFIX } from './xds-values';

type Obj = Record<string, unknown>;

export const RBAC_TYPE = `${TYPE_PREFIX}envoy.extensions.filters.http.rbac.v3.RBAC`;
export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';

/** Istio's filter order: AUDIT (log only), then DENY, then ALLOW (CUSTOM is rejected at validation). */
const ORDER: readonly (readonly [AuthorizationAction, string])[] = [
  ['AUDIT', 'LOG'],
  ['DENY', 'DENY'],
  ['ALLOW', 'ALLOW'],
];

/**
 * The RBAC HTTP filters of a workload's inbound listener for the AuthorizationPolicies that apply to
 * it: one filter per action present, each Istio rule an Envoy policy `ns[<ns>]-policy[<name>]-rule[<i>]`.
 * An ALLOW policy with no rules still yields the ALLOW filter (with no policy: allow-nothing); DENY and
 * AUDIT policies without rules match nothing and add no filter. No policy: no filter (allow all).
 */
export function generateRbacFilters(policies: readonly AuthzPolicyView[]): Obj[] {
  const filters: Obj[] = [];
  for (const [action, envoyAction] of ORDER) {
    const selected = policies.filter((p) => p.policy.action === action);
    const envoyPolicies: Record<string, Obj> = {};
    for (const p of selected) {
      p.policy.rules.forEach((rule, i) => {
        envoyPolicies[`ns[${p.namespace}]-policy[${p.name}]-rule[${i}]`] = envoyPolicy(rule);
      });
    }
    if (Object.keys(envoyPolicies).length === 0 && action !== 'ALLOW') continue;
    if (selected.length === 0) continue;
    const name = action === 'ALLOW' ? RBAC_FILTER_NAME : `${RBAC_FILTER_NAME}.${action.toLowerCase()}`;
    filters.push({ name, typed_config: { '@type': RBAC_TYPE, rules: { action: envoyAction, policies: envoyPolicies } } });
  }
  return filters;
}

/** Inserts HTTP filters before the router of every HTTP connection manager of a listener (object form). */
export function withHttpFilters(listener: Obj, filters: readonly Obj[]): Obj {
  if (filters.length === 0) return listener;
  for (const chain of (listener['filter_chains'] as Obj[] | undefined) ?? []) {
    for (const f of (chain['filters'] as Obj[] | undefined) ?? []) {
      const hcm = f['typed_config'] as Obj | undefined;
      const list = hcm?.['http_filters'] as Obj[] | undefined;
      if (hcm === undefined || list === undefined || list.some((x) => filters.includes(x))) continue;
      const router = list.findIndex((x) => x['name'] === ROUTER_FILTER_NAME);
      hcm['http_filters'] = [...list.slice(0, router === -1 ? list.length : router), ...filters, ...(router === -1 ? [] : list.slice(router))];
    }
  }
  return listener;
}

/** from × to × when: one permission per `to` entry, one principal per `from` entry, `when` ANDed into each. */
function envoyPolicy(rule: AuthorizationRule): Obj {
  const permissionWhen = rule.when.flatMap((c) => conditionMatchers(c, 'permission'));
  const principalWhen = rule.when.flatMap((c) => conditionMatchers(c, 'principal'));
  const permissions = rule.to.length === 0 ? [and('rules', permissionWhen)] : rule.to.map((o) => and('rules', [...operationMatchers(o), ...permissionWhen]));
  const principals = rule.from.length === 0 ? [and('ids', principalWhen)] : rule.from.map((s) => and('ids', [...sourceMatchers(s), ...principalWhen]));
  return { permissions, principals };
}

function and(set: 'rules' | 'ids', items: readonly Obj[]): Obj {
  if (items.length === 0) return { any: true };
  if (items.length === 1) return items[0] as Obj;
  return { [set === 'rules' ? 'and_rules' : 'and_ids']: { [set]: items } };
}

function or(set: 'rules' | 'ids', items: readonly Obj[]): Obj {
  return items.length === 1 ? (items[0] as Obj) : { [set === 'rules' ? 'or_rules' : 'or_ids']: { [set]: items } };
}

/** `values` ORed, and `notValues` as NOT(any of them); unset lists add nothing. */
function field<T>(set: 'rules' | 'ids', values: readonly T[], notValues: readonly T[], leaf: (v: T) => Obj | Obj[]): Obj[] {
  const out: Obj[] = [];
  if (values.length > 0) out.push(or(set, values.flatMap<Obj>(leaf)));
  if (notValues.length > 0) out.push({ [set === 'rules' ? 'not_rule' : 'not_id']: or(set, notValues.flatMap<Obj>(leaf)) });
  return out;
}

function operationMatchers(o: AuthorizationOperation): Obj[] {
  return [
    ...field('rules', o.hosts, o.notHosts, hostMatches),
    ...field('rules', o.ports, o.notPorts, portMatch),
    ...field('rules', o.methods, o.notMethods, (m) => headerMatch(':method', m)),
    ...field('rules', o.paths, o.notPaths, pathMatch),
  ];
}

function sourceMatchers(s: AuthorizationSource): Obj[] {
  return [
    ...field('ids', s.principals, s.notPrincipals, principalMatch),
    ...field('ids', s.namespaces, s.notNamespaces, namespaceMatch),
    ...field('ids', s.ipBlocks, s.notIpBlocks, (v) => ({ direct_remote_ip: cidr(v) })),
    ...field('ids', s.remoteIpBlocks, s.notRemoteIpBlocks, (v) => ({ remote_ip: cidr(v) })),
  ];
}

const HEADER_KEY = /^request\.headers\[(.+)\]$/;

/** A `when` condition on the side it belongs to (connection/request attributes vs the source). */
function conditionMatchers(c: AuthorizationCondition, side: 'permission' | 'principal'): Obj[] {
  const header = HEADER_KEY.exec(c.key)?.[1];
  if (side === 'permission') {
    if (header !== undefined) return field('rules', c.values, c.notValues, (v) => headerMatch(header.toLowerCase(), v));
    if (c.key === 'destination.port') return field('rules', c.values.map(Number), c.notValues.map(Number), portMatch);
    if (c.key === 'destination.ip') return field('rules', c.values, c.notValues, (v) => ({ destination_ip: cidr(v) }));
    if (c.key === 'connection.sni') return field('rules', c.values, c.notValues, (v) => ({ requested_server_name: stringMatch(v) }));
    return [];
  }
  if (c.key === 'source.ip') return field('ids', c.values, c.notValues, (v) => ({ direct_remote_ip: cidr(v) }));
  if (c.key === 'remote.ip') return field('ids', c.values, c.notValues, (v) => ({ remote_ip: cidr(v) }));
  if (c.key === 'source.namespace') return field('ids', c.values, c.notValues, namespaceMatch);
  if (c.key === 'source.principal') return field('ids', c.values, c.notValues, principalMatch);
  return [];
}
