import type { DnsDiscoveryModel, DnsLookupFamily } from '@weft/proxy-core';
import { type ConfigContext, fieldPath } from '../config-context';
import { bool, enumName, has, msg, msgs, num, type ProtoMessage } from '../proto/proto-value';

/**
 * The DNS settings of a STRICT_DNS or LOGICAL_DNS cluster (Envoy's strict and logical DNS service
 * discovery), resolved with the system resolver (node's dns.lookup, getaddrinfo).
 */

const DEFAULT_REFRESH_MS = 5_000;
const FAMILIES: ReadonlySet<string> = new Set(['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL']);
/** Fields that only mean something to a DNS cluster. */
const DNS_FIELDS = ['dns_lookup_family', 'dns_refresh_rate', 'dns_failure_refresh_rate', 'respect_dns_ttl', 'wait_for_warm_on_init'] as const;

export type DnsClusterType = DnsDiscoveryModel['type'];

export function isDnsType(type: string): type is DnsClusterType {
  return type === 'STRICT_DNS' || type === 'LOGICAL_DNS';
}

export function dnsDiscovery(m: ProtoMessage, type: DnsClusterType, path: string, ctx: ConfigContext): DnsDiscoveryModel {
  if (bool(m, 'respect_dns_ttl') === true) {
    ctx.issue(fieldPath(path, 'respect_dns_ttl'), 'true is not supported by weft-proxy (the system resolver reports no TTL): hosts are re-resolved every dns_refresh_rate');
  }
  if (type === 'LOGICAL_DNS') logicalDnsEndpoints(msg(m, 'load_assignment'), fieldPath(path, 'load_assignment'), ctx);
  return {
    type,
    lookupFamily: lookupFamily(m, path, ctx),
    refreshRateMs: num(m, 'dns_refresh_rate') ?? DEFAULT_REFRESH_MS,
    failureRefresh: failureRefresh(msg(m, 'dns_failure_refresh_rate'), fieldPath(path, 'dns_failure_refresh_rate'), ctx),
    waitForWarmOnInit: bool(m, 'wait_for_warm_on_init') ?? true,
  };
}

/** A STATIC or EDS cluster with DNS settings: rejected, as eds_cluster_config is on a non-EDS cluster. */
export function checkNoDnsFields(m: ProtoMessage, path: string, ctx: ConfigContext): void {
  for (const f of DNS_FIELDS) if (has(m, f)) ctx.issue(fieldPath(path, f), 'only for clusters of type STRICT_DNS or LOGICAL_DNS');
}

function lookupFamily(m: ProtoMessage, path: string, ctx: ConfigContext): DnsLookupFamily {
  const family = enumName(m, 'dns_lookup_family', 'AUTO');
  if (FAMILIES.has(family)) return family as DnsLookupFamily;
  ctx.issue(fieldPath(path, 'dns_lookup_family'), `${family} is not supported by weft-proxy`);
  return 'AUTO';
}

/** Cluster.RefreshRate: base_interval (required), max_interval (default 10 × base_interval, as Envoy). */
function failureRefresh(m: ProtoMessage | null, path: string, ctx: ConfigContext): DnsDiscoveryModel['failureRefresh'] {
  if (m === null) return null;
  const baseMs = num(m, 'base_interval');
  if (baseMs === null) {
    ctx.issue(fieldPath(path, 'base_interval'), 'required');
    return null;
  }
  const maxMs = num(m, 'max_interval') ?? 10 * baseMs;
  if (maxMs < baseMs) ctx.issue(fieldPath(path, 'max_interval'), 'must be greater than or equal to base_interval');
  return { baseMs, maxMs };
}

/** LOGICAL_DNS: one logical host, so exactly one locality with one endpoint (as Envoy requires). */
function logicalDnsEndpoints(assignment: ProtoMessage | null, path: string, ctx: ConfigContext): void {
  const groups = assignment === null ? [] : msgs(assignment, 'endpoints');
  const count = groups.reduce((n, g) => n + msgs(g, 'lb_endpoints').length, 0);
  if (groups.length !== 1 || count !== 1) {
    ctx.issue(fieldPath(path, 'endpoints'), `a LOGICAL_DNS cluster needs exactly one locality with exactly one lb_endpoint (got ${groups.length} localities, ${count} endpoints)`);
  }
}
