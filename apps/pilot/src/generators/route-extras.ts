import type { ConsistentHash, HeaderOps, HttpFault } from '@weft/api';
import { duration, FAULT_FILTER_NAME, FAULT_TYPE, fractionalPercent } from './xds-values';

/** Istio header operations → Envoy header mutations (set overwrites, add appends). */
export function headerMutations(request: HeaderOps, response: HeaderOps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  addOps(out, 'request', request);
  addOps(out, 'response', response);
  return out;
}

function addOps(out: Record<string, unknown>, direction: 'request' | 'response', ops: HeaderOps): void {
  const add = [
    ...Object.entries(ops.set).map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...Object.entries(ops.add).map(([key, value]) => ({ header: { key, value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  if (add.length > 0) out[`${direction}_headers_to_add`] = add;
  if (ops.remove.length > 0) out[`${direction}_headers_to_remove`] = ops.remove;
}

/** HTTPFaultInjection → typed_per_filter_config of the fault filter (HTTPFault), or null. */
export function faultPerFilterConfig(fault: HttpFault | null): Record<string, unknown> | null {
  if (fault === null || (fault.delay === null && fault.abort === null)) return null;
  const config: Record<string, unknown> = { '@type': FAULT_TYPE };
  if (fault.delay !== null) {
    config.delay = { fixed_delay: duration(fault.delay.fixedDelayMs), percentage: fractionalPercent(fault.delay.percentage) };
  }
  if (fault.abort !== null) {
    const status = fault.abort.kind === 'grpc' ? { grpc_status: fault.abort.status } : { http_status: fault.abort.status };
    config.abort = { ...status, percentage: fractionalPercent(fault.abort.percentage) };
  }
  return { [FAULT_FILTER_NAME]: config };
}

/**
 * DestinationRule consistentHash → RouteAction hash_policy. Sidecars: header, cookie (by name: the
 * proxy does not generate cookies, so ttl/path are not sent), source IP, query parameter. gRPC clients
 * hash on headers only (grpc-js-xds ignores the other kinds).
 */
export function hashPolicy(hash: ConsistentHash | null, grpc: boolean): Record<string, unknown>[] {
  if (hash === null) return [];
  const key = hash.key;
  if (key.kind === 'header') return [{ header: { header_name: key.name } }];
  if (grpc) return [];
  if (key.kind === 'cookie') return [{ cookie: { name: key.name } }];
  if (key.kind === 'sourceIp') return [{ connection_properties: { source_ip: true } }];
  return [{ query_parameter: { name: key.name } }];
}
