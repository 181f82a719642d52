import { isIPv4, isIPv6 } from 'node:net';
import type { CidrRangeModel, RbacAction, RbacMatcherModel, RbacModel, RbacPolicyModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath, keyPath } from '../config-context';
import { enumName, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { stringMatcher } from './common.converter';
import { headerMatcher } from './route-match.converter';

/**
 * envoy.extensions.filters.http.rbac.v3.RBAC → RbacModel. Permission and Principal become one tree
 * (see rbac-model.ts); the support matrix has already rejected the fields weft-proxy cannot evaluate
 * (metadata, filter_state, CEL conditions, matchers, shadow rules).
 */

const ACTIONS: readonly RbacAction[] = ['ALLOW', 'DENY', 'LOG'];

export function rbacConfig(m: ProtoMessage, path: string, ctx: ConfigContext): RbacModel {
  const rules = msg(m, 'rules');
  if (rules === null) return { action: null, policies: [] };
  const rpath = fieldPath(path, 'rules');
  const action = enumName(rules, 'action', 'ALLOW') as RbacAction;
  if (!ACTIONS.includes(action)) ctx.issue(fieldPath(rpath, 'action'), `action ${action} is not supported by weft-proxy`);
  const byName = msg(rules, 'policies');
  const entries = byName instanceof Map ? [...(byName as Map<string, ProtoMessage>)] : [];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const policies = entries.map(([name, p]) => policy(name, p, keyPath(fieldPath(rpath, 'policies'), name), ctx));
  return { action, policies };
}

function policy(name: string, p: ProtoMessage, path: string, ctx: ConfigContext): RbacPolicyModel {
  const ppath = fieldPath(path, 'permissions');
  const ipath = fieldPath(path, 'principals');
  return {
    name,
    permissions: msgs(p, 'permissions').map((x, i) => matcher(x, indexPath(ppath, i), ctx, 'rules')),
    principals: msgs(p, 'principals').map((x, i) => matcher(x, indexPath(ipath, i), ctx, 'ids')),
  };
}

/** A Permission (set field `rules`) or a Principal (set field `ids`): exactly one oneof member is set (PGV). */
function matcher(m: ProtoMessage, path: string, ctx: ConfigContext, setField: 'rules' | 'ids'): RbacMatcherModel {
  const set = (field: string): RbacMatcherModel[] => {
    const s = msg(m, field) ?? {};
    const spath = fieldPath(fieldPath(path, field), setField);
    return msgs(s, setField).map((x, i) => matcher(x, indexPath(spath, i), ctx, setField));
  };
  if (msg(m, 'and_rules') !== null || msg(m, 'and_ids') !== null) return { kind: 'and', rules: set(setField === 'rules' ? 'and_rules' : 'and_ids') };
  if (msg(m, 'or_rules') !== null || msg(m, 'or_ids') !== null) return { kind: 'or', rules: set(setField === 'rules' ? 'or_rules' : 'or_ids') };
  const not = msg(m, 'not_rule') ?? msg(m, 'not_id');
  if (not !== null) return { kind: 'not', rule: matcher(not, fieldPath(path, setField === 'rules' ? 'not_rule' : 'not_id'), ctx, setField) };
  return leaf(m, path, ctx);
}

function leaf(m: ProtoMessage, path: string, ctx: ConfigContext): RbacMatcherModel {
  const header = msg(m, 'header');
  if (header !== null) return { kind: 'header', header: headerMatcher(header, fieldPath(path, 'header'), ctx) };
  const urlPath = msg(m, 'url_path');
  if (urlPath !== null) return { kind: 'url_path', match: stringMatcher(msg(urlPath, 'path') ?? {}, fieldPath(fieldPath(path, 'url_path'), 'path'), ctx) };
  const port = num(m, 'destination_port');
  if (port !== null) return { kind: 'destination_port', port };
  const range = msg(m, 'destination_port_range');
  if (range !== null) return { kind: 'destination_port_range', start: num(range, 'start') ?? 0, end: num(range, 'end') ?? 0 };
  const sni = msg(m, 'requested_server_name');
  if (sni !== null) return { kind: 'requested_server_name', match: stringMatcher(sni, fieldPath(path, 'requested_server_name'), ctx) };
  const authenticated = msg(m, 'authenticated');
  if (authenticated !== null) {
    const name = msg(authenticated, 'principal_name');
    const npath = fieldPath(fieldPath(path, 'authenticated'), 'principal_name');
    return { kind: 'authenticated', principalName: name === null ? null : stringMatcher(name, npath, ctx) };
  }
  for (const kind of ['destination_ip', 'direct_remote_ip', 'remote_ip'] as const) {
    const cidr = msg(m, kind);
    if (cidr !== null) return { kind, cidr: cidrRange(cidr, fieldPath(path, kind), ctx) };
  }
  return { kind: 'any' };
}

/** envoy.config.core.v3.CidrRange: an IP address and a prefix length that fits its family. */
function cidrRange(m: ProtoMessage, path: string, ctx: ConfigContext): CidrRangeModel {
  const address = str(m, 'address_prefix');
  const v4 = isIPv4(address);
  const max = v4 ? 32 : 128;
  const prefixLen = num(m, 'prefix_len') ?? 0; // Envoy: unset is 0
  if (!v4 && !isIPv6(address)) ctx.issue(fieldPath(path, 'address_prefix'), `${JSON.stringify(address)} is not an IP address`);
  else if (prefixLen > max) ctx.issue(fieldPath(path, 'prefix_len'), `prefix_len ${prefixLen} is longer than ${max} for ${address}`);
  return { address, prefixLen };
}
