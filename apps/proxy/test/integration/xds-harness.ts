import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootstrap } from '../../src/config';
import { readFlags } from '../../src/config/flags';
import { Proxy } from '../../src/proxy';
import type { XdsClient } from '../../src/xds/xds-client';
import { createXdsClient } from '../../src/xds/xds-runtime';
import { AdsTestServer } from './ads-test-server';
import { silent } from './harness';
import { CDS, clusterName, EDS, edsCluster, endpoints, LDS, outboundListener, OUTBOUND_ROUTE, RDS, VHDS, virtualHost } from './xds-resources';

export { AdsTestServer } from './ads-test-server';

/** An in-process proxy driven by an ADS server, the way main.ts wires it (fast reconnects for tests). */
export interface XdsProxy {
  readonly proxy: Proxy;
  readonly client: XdsClient;
  readonly cacheFile: string;
  /** Port of the outbound listener (bound on port 0). */
  outboundPort(): number;
  close(): Promise<void>;
}

export interface XdsProxyOptions {
  readonly protocol?: 'delta' | 'sotw';
  readonly onDemandTimeoutMs?: number;
  readonly cacheFile?: string;
  readonly nodeId?: string;
  /** Wait for the first applied config (default true). */
  readonly waitReady?: boolean;
  /** A --config bootstrap whose static resources stay beside the xDS ones. */
  readonly bootstrapYaml?: string;
}

export async function startXdsProxy(address: string, o: XdsProxyOptions = {}): Promise<XdsProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-xds-'));
  const cacheFile = o.cacheFile ?? join(dir, 'cache.json');
  const flags = readFlags(
    ['--xds', address, '--xds-protocol', o.protocol ?? 'delta', '--xds-cache', cacheFile, '--service', 'productpage', '--labels', 'version=v1']
      .concat(['--node-id', o.nodeId ?? `sidecar~productpage~${process.pid}`, '--outbound-port', '0', '--on-demand-timeout-ms', String(o.onDemandTimeoutMs ?? 5000)]),
    {},
  );
  const refuse = (): never => {
    throw new Error('xds mode');
  };
  const proxy = new Proxy({ logger: silent, parseConfig: refuse, accessLog: 'off', workload: 'productpage', namespace: 'default', drainTimeoutMs: 2000, adminPort: 0 });
  await proxy.openAdmin();
  const bootstrap = o.bootstrapYaml === undefined ? null : loadBootstrap(o.bootstrapYaml, 'test.yaml', { xds: true });
  const client = createXdsClient({ flags: { ...flags, xds: address }, bootstrap, proxy, log: silent, backoff: { baseMs: 20, maxMs: 200 } });
  client.start();
  if (o.waitReady !== false) await client.ready;
  return {
    proxy,
    client,
    cacheFile,
    outboundPort: () => {
      const p = proxy.ports.get('outbound');
      if (p === undefined) throw new Error('no outbound listener yet');
      return p;
    },
    close: async () => {
      await client.stop();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What pilot serves a weft node for one service `host` (port 9080, subset v1): the outbound listener
 * and route configuration, the EDS cluster and its endpoints; the virtual host only when `vhost`
 * (declared in a Sidecar: sent to the wildcard), else it is found on demand.
 */
export function serveMesh(server: AdsTestServer, host: string, ports: readonly number[], options: { vhost?: boolean } = {}): void {
  const cluster = clusterName(host);
  server.set(CDS, cluster, edsCluster(cluster));
  server.set(EDS, cluster, endpoints(cluster, ports));
  server.set(RDS, 'outbound', OUTBOUND_ROUTE);
  if (options.vhost === true) server.set(VHDS, `outbound/${host}:9080`, virtualHost(host));
  server.set(LDS, 'outbound', outboundListener());
}
