import type { Logger } from '@weft/shared';
import { spiffeId, type WorkloadIdentity } from '@weft/x509';
import type { BootstrapResult } from '../config';
import type { ProxyFlags } from '../config/flags';
import type { Proxy } from '../proxy';
import { XdsTlsCredentials } from '../tls/xds-channel-credentials';
import { NO_STATICS, type StaticResources } from './subscription-planner';
import { XdsClient } from './xds-client';
import { cacheFileOf, nodeIdOf, xdsNodeOf } from './xds-node';

/** Default admin port when xDS drives the proxy and neither --admin-port nor a bootstrap admin is given. */
export const XDS_DEFAULT_ADMIN_PORT = 15000;

export interface XdsRuntimeOptions {
  readonly flags: ProxyFlags & { readonly xds: string };
  /** The --config bootstrap loaded with `{ xds: true }`, or null: its static resources stay, its admin is used. */
  readonly bootstrap: BootstrapResult | null;
  readonly proxy: Proxy;
  readonly log: Logger;
  /** The workload identity (--ca): with --xds-tls the xDS connections present it. */
  readonly identity?: WorkloadIdentity | null;
  /** Overrides for tests: reconnect backoff and the initial fetch timeout. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly initialFetchTimeoutMs?: number;
}

/** --admin-port, else the bootstrap's admin, else 15000. */
export function xdsAdminPort(flags: ProxyFlags, bootstrap: BootstrapResult | null): number {
  return flags['admin-port'] ?? bootstrap?.snapshot.admin?.port ?? XDS_DEFAULT_ADMIN_PORT;
}

/** The node id: --node-id, else the bootstrap's node.id, else sidecar~<service>~<pid>. */
export function xdsNodeId(flags: ProxyFlags, bootstrap: BootstrapResult | null): string {
  const fromBootstrap = bootstrap?.snapshot.node.id ?? '';
  return flags['node-id'] ?? (fromBootstrap !== '' ? fromBootstrap : nodeIdOf(flags));
}

/** Pilot's identity the proxy expects with --xds-tls: --xds-identity, else spiffe://<td>/ns/weft-system/sa/weft-pilot. */
export function xdsServerIdentity(flags: ProxyFlags): string {
  return flags['xds-identity'] ?? spiffeId(flags['trust-domain'], 'weft-system', 'weft-pilot');
}

/** Builds the xDS client for a proxy (not started) and wires it in: on-demand VHDS and /config_dump. */
export function createXdsClient(o: XdsRuntimeOptions): XdsClient {
  const nodeId = xdsNodeId(o.flags, o.bootstrap);
  const statics: StaticResources =
    o.bootstrap === null
      ? NO_STATICS
      : { listeners: o.bootstrap.snapshot.listeners, clusters: o.bootstrap.snapshot.clusters, edsServiceNames: o.bootstrap.edsServiceNames };
  const log = o.log.child({ component: 'xds' });
  const identity = o.identity ?? null;
  const security = o.flags['xds-tls'] && identity !== null ? new XdsTlsCredentials(identity, xdsServerIdentity(o.flags), log) : null;
  const client = new XdsClient({
    address: o.flags.xds,
    security,
    protocol: o.flags['xds-protocol'],
    node: xdsNodeOf(o.flags, nodeId),
    cacheFile: cacheFileOf(o.flags, nodeId),
    onDemandTimeoutMs: o.flags['on-demand-timeout-ms'],
    statics,
    base: { admin: o.bootstrap?.snapshot.admin ?? null, node: { id: nodeId, cluster: o.flags.service } },
    sink: o.proxy,
    metrics: o.proxy.metrics,
    log,
    backoff: o.backoff,
    initialFetchTimeoutMs: o.initialFetchTimeoutMs,
  });
  o.proxy.attachXds(client.onDemand, () => client.dump());
  return client;
}
