import type { MessageSupport } from './support-matrix';
import { TYPE } from './type-names';

const RBAC = 'envoy.config.rbac.v3';
const CEL = 'CEL conditions are not supported';
const METADATA = 'dynamic metadata is not supported';
const MATCHER = 'the generic matcher API is not supported: use rules';

/** The RBAC HTTP filter (Istio's AuthorizationPolicy translation). */
export const RBAC_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  [TYPE.rbac]: {
    honoured: ['rules'],
    ignored: ['rules_stat_prefix', 'track_per_rule_stats'],
    notes: [
      'no `rules`: every request passes; a denial is 403 `RBAC: access denied` (gRPC: PERMISSION_DENIED), response flag `RBAC`, counted in `weft_proxy_rbac_denied_total{policy}`',
      'policies are evaluated in name order; the first match decides (and names the policy)',
      'WebSocket upgrades go through the filter: a denied upgrade is answered 403 and never reaches the upstream',
    ],
    reasons: {
      matcher: MATCHER,
      shadow_matcher: MATCHER,
      shadow_rules: 'shadow rules are not supported (use action LOG)',
      shadow_rules_stat_prefix: 'shadow rules are not supported (use action LOG)',
    },
  },
  [`${RBAC}.RBAC`]: {
    honoured: ['action', 'policies'],
    notes: ['`action`: ALLOW, DENY or LOG (LOG never denies; a match is logged at debug)'],
    reasons: { audit_logging_options: 'RBAC audit loggers are not supported (use action LOG)' },
  },
  [`${RBAC}.Policy`]: {
    honoured: ['permissions', 'principals'],
    reasons: { condition: CEL, checked_condition: CEL },
  },
  [`${RBAC}.Permission`]: {
    honoured: [
      'and_rules',
      'or_rules',
      'any',
      'header',
      'url_path',
      'destination_ip',
      'destination_port',
      'destination_port_range',
      'not_rule',
      'requested_server_name',
    ],
    notes: [
      '`destination_port` matches the listener port, and on an INBOUND listener also the app port of its `inbound|<port>||` cluster',
      '`url_path` matches the path without the query string',
    ],
    reasons: { metadata: METADATA, matcher: 'permission matcher extensions are not supported', uri_template: 'URI templates are not supported' },
  },
  [`${RBAC}.Permission.Set`]: { honoured: ['rules'] },
  [`${RBAC}.Principal`]: {
    honoured: ['and_ids', 'or_ids', 'any', 'authenticated', 'direct_remote_ip', 'remote_ip', 'header', 'url_path', 'not_id'],
    notes: [
      '`authenticated`: the peer certificate\'s SPIFFE URI SAN (mTLS connections only)',
      '`remote_ip` is the peer address, as `direct_remote_ip` (x-forwarded-for is not trusted)',
    ],
    reasons: { source_ip: 'deprecated: use direct_remote_ip', metadata: METADATA, filter_state: 'filter state is not supported' },
  },
  [`${RBAC}.Principal.Set`]: { honoured: ['ids'] },
  [`${RBAC}.Principal.Authenticated`]: { honoured: ['principal_name'] },
  'envoy.type.matcher.v3.PathMatcher': { honoured: ['path'] },
  'envoy.config.core.v3.CidrRange': { honoured: ['address_prefix', 'prefix_len'], notes: ['`prefix_len` unset is 0, as in Envoy'] },
  'envoy.type.v3.Int32Range': { honoured: ['start', 'end'] },
};
