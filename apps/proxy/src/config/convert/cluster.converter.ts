import type { ClusterModel, LbPolicy } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { any, enumName, has, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { PEAK_EWMA_POLICY_NAME, TYPE } from '../support/type-names';
import { checkNoDnsFields, dnsDiscovery, isDnsType } from './cluster-dns.converter';
import { circuitBreakers, outlierDetection, upstreamHttp } from './cluster-options.converter';
import { loadAssignment } from './endpoint.converter';
import { upstreamTls } from './tls.converter';

type LbSettings = Pick<ClusterModel, 'lbPolicy' | 'choiceCount' | 'ringHash' | 'maglevTableSize'>;

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const LB_POLICIES: ReadonlySet<string> = new Set(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV']);
const MAX_RING_SIZE = 8_388_608;

/**
 * envoy.config.cluster.v3.Cluster: STATIC with its inline load_assignment, STRICT_DNS / LOGICAL_DNS
 * with hostnames in it (resolved at run time), or EDS over ADS (the endpoints arrive later; recorded
 * in ctx.dynamicRefs, the model has none).
 */
export function cluster(m: ProtoMessage, path: string, ctx: ConfigContext): ClusterModel {
  const type = enumName(m, 'type', 'STATIC');
  const dns = isDnsType(type) ? dnsDiscovery(m, type, path, ctx) : null;
  if (dns === null) checkNoDnsFields(m, path, ctx);
  if (type === 'EDS') edsCluster(m, path, ctx);
  else if (type !== 'STATIC' && dns === null) {
    ctx.issue(fieldPath(path, 'type'), `cluster type ${type} is not supported by weft-proxy (only STATIC with IP endpoints, STRICT_DNS and LOGICAL_DNS with endpoints in load_assignment, and EDS over ADS)`);
  } else if (has(m, 'eds_cluster_config')) ctx.issue(fieldPath(path, 'eds_cluster_config'), 'only for clusters of type EDS');
  const localityWeighted = has(msg(m, 'common_lb_config') ?? {}, 'locality_weighted_lb_config');
  const assignment = msg(m, 'load_assignment');
  const { breakers, budget } = circuitBreakers(msg(m, 'circuit_breakers'), fieldPath(path, 'circuit_breakers'), ctx);
  const outlier = msg(m, 'outlier_detection');
  const socket = msg(m, 'transport_socket');
  return {
    name: str(m, 'name'),
    connectTimeoutMs: num(m, 'connect_timeout') ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...lbSettings(m, path, ctx),
    ...upstreamHttp(m, path, ctx),
    endpoints: assignment === null ? [] : loadAssignment(assignment, fieldPath(path, 'load_assignment'), { localityWeighted, hostnames: dns !== null }, ctx).endpoints,
    localityWeighted,
    circuitBreakers: breakers,
    retryBudget: budget,
    outlierDetection: outlier === null ? null : outlierDetection(outlier, fieldPath(path, 'outlier_detection'), ctx),
    tls: socket === null ? null : upstreamTls(socket, fieldPath(path, 'transport_socket'), ctx),
    dns,
  };
}

/** EDS: endpoints from the ADS stream, for `eds_cluster_config.service_name` (default: the cluster name). */
function edsCluster(m: ProtoMessage, path: string, ctx: ConfigContext): void {
  const eds = msg(m, 'eds_cluster_config') ?? {};
  const epath = fieldPath(path, 'eds_cluster_config');
  if (!has(msg(eds, 'eds_config') ?? {}, 'ads')) {
    ctx.issue(fieldPath(epath, 'eds_config'), 'required for an EDS cluster: an ADS config source (eds_config: { ads: {} }); other config sources are not supported by weft-proxy');
  }
  if (has(m, 'load_assignment')) ctx.issue(fieldPath(path, 'load_assignment'), 'not used by an EDS cluster (its endpoints come from EDS): remove it');
  const owner = str(m, 'name');
  ctx.dynamicRefs.push({ kind: 'eds', name: str(eds, 'service_name') || owner, owner, path: fieldPath(path, 'type') });
}

function lbSettings(m: ProtoMessage, path: string, ctx: ConfigContext): LbSettings {
  const ring = msg(m, 'ring_hash_lb_config') ?? {};
  const ringHash = { minimumRingSize: num(ring, 'minimum_ring_size') ?? 1024, maximumRingSize: num(ring, 'maximum_ring_size') ?? MAX_RING_SIZE };
  if (ringHash.minimumRingSize > ringHash.maximumRingSize) {
    ctx.issue(fieldPath(path, 'ring_hash_lb_config.minimum_ring_size'), 'must not exceed maximum_ring_size');
  }
  const maglevTableSize = num(msg(m, 'maglev_lb_config') ?? {}, 'table_size') ?? 65_537;
  if (!isPrime(maglevTableSize)) ctx.issue(fieldPath(path, 'maglev_lb_config.table_size'), 'must be a prime number');
  const choiceCount = num(msg(m, 'least_request_lb_config') ?? {}, 'choice_count') ?? 2;
  return { lbPolicy: lbPolicy(m, path, ctx), choiceCount: peakEwmaChoiceCount(m, path, ctx) ?? choiceCount, ringHash, maglevTableSize };
}

function lbPolicy(m: ProtoMessage, path: string, ctx: ConfigContext): LbPolicy {
  const policy = enumName(m, 'lb_policy', 'ROUND_ROBIN');
  if (has(m, 'load_balancing_policy')) {
    if (policy !== 'ROUND_ROBIN' && policy !== 'LOAD_BALANCING_POLICY_CONFIG') {
      ctx.issue(fieldPath(path, 'lb_policy'), 'cannot be combined with load_balancing_policy');
    }
    return 'PEAK_EWMA';
  }
  if (!LB_POLICIES.has(policy)) ctx.issue(fieldPath(path, 'lb_policy'), `${policy} is not supported by weft-proxy`);
  return policy as LbPolicy;
}

/**
 * load_balancing_policy: as in Envoy, the first policy the proxy supports is used. weft-proxy supports
 * one: `weft.load_balancing_policies.peak_ewma` with a google.protobuf.Struct config
 * `{ choice_count?: integer ≥ 2 }`. Returns its choice count, or null without load_balancing_policy.
 */
function peakEwmaChoiceCount(m: ProtoMessage, path: string, ctx: ConfigContext): number | null {
  const lbp = msg(m, 'load_balancing_policy');
  if (lbp === null) return null;
  const policiesPath = fieldPath(path, 'load_balancing_policy.policies');
  for (const [i, policy] of msgs(lbp, 'policies').entries()) {
    const ext = msg(policy, 'typed_extension_config') ?? {};
    const config = any(ext, 'typed_config');
    if (str(ext, 'name') !== PEAK_EWMA_POLICY_NAME || config === null || config.typeName !== TYPE.struct) continue;
    const cpath = fieldPath(indexPath(policiesPath, i), 'typed_extension_config.typed_config');
    return peakEwmaConfig((config.value ?? {}) as Readonly<Record<string, unknown>>, cpath, ctx);
  }
  ctx.issue(policiesPath, `none of the policies is supported by weft-proxy (supported: ${PEAK_EWMA_POLICY_NAME} with a google.protobuf.Struct config)`);
  return 2;
}

/** The PEAK_EWMA Struct: `choice_count` (or `choiceCount`), an integer ≥ 2, default 2. */
function peakEwmaConfig(config: Readonly<Record<string, unknown>>, path: string, ctx: ConfigContext): number {
  let count: unknown = 2;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'choice_count' || key === 'choiceCount') count = value;
    else ctx.issue(fieldPath(path, key), 'unknown field (peak_ewma accepts choice_count)');
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 2) {
    ctx.issue(fieldPath(path, 'choice_count'), 'expected an integer ≥ 2');
    return 2;
  }
  return count;
}

function isPrime(n: number): boolean {
  if (n < 2 || !Number.isInteger(n)) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
