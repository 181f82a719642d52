import { isIP } from 'node:net';
import type { ListenerModel, TcpProxyModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { any, anyMessage, enumName, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { TYPE } from '../support/type-names';
import { timeoutMs } from './common.converter';
import { httpConnectionManager } from './http-connection-manager.converter';
import { addClusterRef } from './route-action.converter';

type Direction = ListenerModel['direction'];

const DEFAULT_TCP_IDLE_TIMEOUT_MS = 3_600_000;

/** envoy.config.listener.v3.Listener: one filter chain, one terminal network filter. */
export function listener(m: ProtoMessage, path: string, ctx: ConfigContext): ListenerModel {
  const { address, port } = socketAddress(msg(m, 'address'), fieldPath(path, 'address'), ctx, { allowPortZero: true });
  const direction = enumName(m, 'traffic_direction', 'UNSPECIFIED') as Direction;
  const base = { name: str(m, 'name', `${address}:${port}`), address, port, direction };
  const chains = msgs(m, 'filter_chains');
  if (chains.length !== 1) {
    ctx.issue(fieldPath(path, 'filter_chains'), 'exactly one filter chain is supported by weft-proxy');
    return { ...base, http: null, tcp: null };
  }
  const fpath = fieldPath(indexPath(fieldPath(path, 'filter_chains'), 0), 'filters');
  const filters = msgs(chains[0], 'filters');
  if (filters.length !== 1) {
    ctx.issue(fpath, 'exactly one network filter (http_connection_manager or tcp_proxy) is supported by weft-proxy');
    return { ...base, http: null, tcp: null };
  }
  const config = any(filters[0], 'typed_config');
  const cpath = fieldPath(indexPath(fpath, 0), 'typed_config');
  if (config === null) {
    ctx.issue(cpath, 'required: the filter is chosen by its typed_config type');
    return { ...base, http: null, tcp: null };
  }
  if (config.typeName === TYPE.tcpProxy) return { ...base, http: null, tcp: tcpProxy(anyMessage(config), cpath, ctx) };
  return { ...base, http: httpConnectionManager(anyMessage(config), cpath, direction, ctx), tcp: null };
}

/** envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy. */
function tcpProxy(m: ProtoMessage, path: string, ctx: ConfigContext): TcpProxyModel {
  const cluster = str(m, 'cluster');
  if (cluster === '') ctx.issue(fieldPath(path, 'cluster'), 'required');
  addClusterRef(cluster, fieldPath(path, 'cluster'), ctx);
  return { statPrefix: str(m, 'stat_prefix'), cluster, idleTimeoutMs: timeoutMs(m, 'idle_timeout', DEFAULT_TCP_IDLE_TIMEOUT_MS) };
}

/**
 * envoy.config.core.v3.Address with a socket_address: an IP literal and a port (1..65535, or 0 for
 * an ephemeral listening port when allowed).
 */
export function socketAddress(m: ProtoMessage | null, path: string, ctx: ConfigContext, opts: { allowPortZero: boolean }): { address: string; port: number } {
  if (m === null) ctx.issue(path, 'required');
  const sa = m === null ? null : msg(m, 'socket_address');
  if (sa === null) return { address: '', port: 0 }; // a missing socket_address is reported by the proto check
  const spath = fieldPath(path, 'socket_address');
  const address = str(sa, 'address');
  if (isIP(address) === 0) ctx.issue(fieldPath(spath, 'address'), `"${address}" is not an IP address (DNS names are not supported by weft-proxy)`);
  const port = num(sa, 'port_value') ?? 0;
  if (port === 0 && !opts.allowPortZero) ctx.issue(fieldPath(spath, 'port_value'), 'must be between 1 and 65535');
  return { address, port };
}
