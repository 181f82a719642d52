import { isIP } from 'node:net';
import type { DownstreamTlsModel, ListenerModel, TcpProxyModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { any, anyMessage, enumName, msg, msgs, num, str, type ProtoMessage } from '../proto/proto-value';
import { TYPE } from '../support/type-names';
import { timeoutMs } from './common.converter';
import { httpConnectionManager } from './http-connection-manager.converter';
import { addClusterRef } from './route-action.converter';
import { downstreamTls } from './tls.converter';

type Direction = ListenerModel['direction'];

const DEFAULT_TCP_IDLE_TIMEOUT_MS = 3_600_000;

/**
 * envoy.config.listener.v3.Listener: one filter chain with one terminal network filter, optionally
 * over TLS; or (PERMISSIVE mTLS) two chains with the same filters, matched on transport_protocol
 * `tls` and `raw_buffer`.
 */
export function listener(m: ProtoMessage, path: string, ctx: ConfigContext): ListenerModel {
  const { address, port } = socketAddress(msg(m, 'address'), fieldPath(path, 'address'), ctx, { allowPortZero: true });
  const direction = enumName(m, 'traffic_direction', 'UNSPECIFIED') as Direction;
  const base = { name: str(m, 'name', `${address}:${port}`), address, port, direction };
  const chainsPath = fieldPath(path, 'filter_chains');
  const chains = msgs(m, 'filter_chains');
  const tls = listenerTls(chains, chainsPath, ctx);
  if (tls === undefined) return { ...base, http: null, tcp: null, tls: null };
  const fpath = fieldPath(indexPath(chainsPath, 0), 'filters');
  const filters = msgs(chains[0], 'filters');
  if (filters.length !== 1) {
    ctx.issue(fpath, 'exactly one network filter (http_connection_manager or tcp_proxy) is supported by weft-proxy');
    return { ...base, http: null, tcp: null, tls };
  }
  const config = any(filters[0], 'typed_config');
  const cpath = fieldPath(indexPath(fpath, 0), 'typed_config');
  if (config === null) {
    ctx.issue(cpath, 'required: the filter is chosen by its typed_config type');
    return { ...base, http: null, tcp: null, tls };
  }
  if (config.typeName === TYPE.tcpProxy) return { ...base, http: null, tcp: tcpProxy(anyMessage(config), cpath, ctx), tls };
  return { ...base, http: httpConnectionManager(anyMessage(config), cpath, direction, ctx), tcp: null, tls };
}

/**
 * The chains' TLS: null (one plaintext chain), STRICT-like (one TLS chain) or PERMISSIVE (a `tls` and a
 * `raw_buffer` chain, the TLS one first after sorting, with identical filters). undefined: rejected.
 */
function listenerTls(chains: readonly ProtoMessage[], path: string, ctx: ConfigContext): DownstreamTlsModel | null | undefined {
  if (chains.length === 0 || chains.length > 2) {
    ctx.issue(path, 'one filter chain, or two (transport_protocol tls and raw_buffer), are supported by weft-proxy');
    return undefined;
  }
  const proto = chains.map((c) => str(msg(c, 'filter_chain_match') ?? {}, 'transport_protocol'));
  const sockets = chains.map((c) => msg(c, 'transport_socket'));
  if (chains.length === 2) {
    const tlsAt = proto.indexOf('tls');
    if (tlsAt === -1 || proto[1 - tlsAt] !== 'raw_buffer' || sockets[tlsAt] === null || sockets[1 - tlsAt] !== null) {
      ctx.issue(path, 'two filter chains must match transport_protocol "tls" (with a TLS transport_socket) and "raw_buffer" (without)');
      return undefined;
    }
    if (JSON.stringify(chains[0]['filters']) !== JSON.stringify(chains[1]['filters'])) {
      ctx.issue(fieldPath(indexPath(path, 1), 'filters'), 'the tls and raw_buffer chains must have the same filters');
      return undefined;
    }
    const tls = downstreamTls(sockets[tlsAt] as ProtoMessage, fieldPath(indexPath(path, tlsAt), 'transport_socket'), ctx);
    return tls === null ? undefined : { ...tls, allowPlaintext: true };
  }
  const socket = sockets[0];
  if (proto[0] !== '' && proto[0] !== (socket === null ? 'raw_buffer' : 'tls')) {
    ctx.issue(fieldPath(indexPath(path, 0), 'filter_chain_match.transport_protocol'), 'does not match the chain\'s transport socket');
  }
  if (socket === null) return null;
  const tls = downstreamTls(socket, fieldPath(indexPath(path, 0), 'transport_socket'), ctx);
  return tls === null ? undefined : { ...tls, allowPlaintext: false };
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
