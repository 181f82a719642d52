import { isIP } from 'node:net';
import type { EndpointModel, HealthStatus, Locality } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { enumName, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { socketAddress } from './listener.converter';

/** A ClusterLoadAssignment (a cluster's load_assignment, or later an EDS resource). */
export interface ClusterLoadAssignmentModel {
  readonly clusterName: string;
  readonly endpoints: readonly EndpointModel[];
}

export interface LoadAssignmentOptions {
  /**
   * The cluster sets common_lb_config.locality_weighted_lb_config: locality weights apply and are
   * required. Otherwise they are ignored (localityWeight 1), as in Envoy.
   */
  readonly localityWeighted: boolean;
  /**
   * A STRICT_DNS / LOGICAL_DNS cluster's own load_assignment: endpoint addresses may be hostnames
   * (resolved at run time). Otherwise (STATIC, EDS) they must be IP addresses.
   */
  readonly hostnames?: boolean;
}

/** envoy.config.endpoint.v3.ClusterLoadAssignment, flattened to one EndpointModel per lb_endpoint. */
export function loadAssignment(m: ProtoMessage, path: string, options: LoadAssignmentOptions, ctx: ConfigContext): ClusterLoadAssignmentModel {
  const endpoints: EndpointModel[] = [];
  const groupsPath = fieldPath(path, 'endpoints');
  msgs(m, 'endpoints').forEach((group, i) => endpoints.push(...localityEndpoints(group, indexPath(groupsPath, i), options, ctx)));
  checkDuplicates(endpoints, groupsPath, ctx);
  return { clusterName: str(m, 'cluster_name'), endpoints };
}

function localityEndpoints(group: ProtoMessage, path: string, options: LoadAssignmentOptions, ctx: ConfigContext): EndpointModel[] {
  const loc = msg(group, 'locality') ?? {};
  const locality: Locality = { region: str(loc, 'region'), zone: str(loc, 'zone'), subZone: str(loc, 'sub_zone') };
  const configured = num(group, 'load_balancing_weight');
  if (options.localityWeighted && configured === null) {
    ctx.issue(fieldPath(path, 'load_balancing_weight'), 'required with locality_weighted_lb_config (a locality without weight would get no load)');
  }
  const localityWeight = options.localityWeighted ? (configured ?? 1) : 1;
  const priority = num(group, 'priority') ?? 0;
  const lbPath = fieldPath(path, 'lb_endpoints');
  return msgs(group, 'lb_endpoints').map((e, j) => {
    const epath = indexPath(lbPath, j);
    const endpoint = msg(e, 'endpoint') ?? {};
    const apath = fieldPath(epath, 'endpoint.address');
    const { address, port } = options.hostnames === true ? hostAddress(msg(endpoint, 'address'), apath, ctx) : socketAddress(msg(endpoint, 'address'), apath, ctx, { allowPortZero: false });
    const health = enumName(e, 'health_status', 'UNKNOWN') as HealthStatus;
    return { address, port, weight: num(e, 'load_balancing_weight') ?? 1, health, locality, localityWeight, priority };
  });
}

const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** The socket address of a DNS cluster's endpoint: a hostname (or an IP address) and a port. */
function hostAddress(m: ProtoMessage | null, path: string, ctx: ConfigContext): { address: string; port: number } {
  if (m === null) ctx.issue(path, 'required');
  const sa = m === null ? null : msg(m, 'socket_address');
  if (sa === null) return { address: '', port: 0 }; // a missing socket_address is reported by the proto check
  const spath = fieldPath(path, 'socket_address');
  const address = str(sa, 'address');
  if (isIP(address) === 0 && !HOSTNAME.test(address)) ctx.issue(fieldPath(spath, 'address'), `"${address}" is neither a DNS name nor an IP address`);
  const port = num(sa, 'port_value') ?? 0;
  if (port === 0) ctx.issue(fieldPath(spath, 'port_value'), 'must be between 1 and 65535');
  return { address, port };
}

/** Hosts are identified by `address:port` (LbHost.id), so an endpoint may appear once per cluster. */
function checkDuplicates(endpoints: readonly EndpointModel[], path: string, ctx: ConfigContext): void {
  const seen = new Set<string>();
  for (const e of endpoints) {
    const id = e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
    if (seen.has(id)) ctx.issue(path, `duplicate endpoint ${id}`);
    seen.add(id);
  }
}
