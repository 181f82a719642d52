import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { matchRoute, pickCluster } from '@weft/proxy-core';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { ActiveHttpConfig } from './route-stage';

function refuse(socket: Duplex, status: number, text: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\nx-weft-error: ${reason}\r\n\r\n`);
  socket.destroy();
}

/**
 * WebSocket (HTTP/1.1 Upgrade) pass-through: the request is routed like any other, then the raw
 * request head is replayed to a host of the cluster — over the cluster's mTLS/TLS when it has one —
 * and bytes are piped both ways until either side closes. Allowed when the connection manager (or the route) enables websocket upgrades.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  active: ActiveHttpConfig,
  clusters: ClusterManager,
  random: () => number,
): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const authority = (req.headers.host ?? '').toLowerCase();
  const route = matchRoute(active.table, { method: req.method ?? 'GET', authority, path: req.url ?? '/', scheme: 'http', headers: req.headers });
  if (route === null) return refuse(socket, 404, 'Not Found', 'WEFT_ERR_PROXY_NO_ROUTE: no route');
  const action = route.action;
  const allowed = action.kind === 'route' && upgrade === 'websocket' && (action.upgradeWebsocket ?? active.hcm.upgradeWebsocket);
  if (!allowed) return refuse(socket, 403, 'Forbidden', `WEFT_ERR_PROXY_UPGRADE_NOT_ALLOWED: upgrade ${upgrade} not enabled`);
  const picked = pickCluster(route, random);
  const cluster = picked === null ? undefined : clusters.get(picked.name);
  const host = cluster?.pick(null, null) ?? null;
  if (cluster === undefined || host === null) return refuse(socket, 503, 'Service Unavailable', 'WEFT_ERR_PROXY_NO_HEALTHY_UPSTREAM: no healthy upstream');
  host.activeRequests++;
  let up: Duplex | null = null;
  let released = false;
  const release = (): void => {
    if (!released) host.activeRequests--;
    released = true;
    socket.destroy();
    up?.destroy();
  };
  cluster.connectRaw(host, (err, upstream) => {
    if (err !== null || upstream === null) {
      const reason = (err?.message ?? 'upstream connect failure').replace(/[\r\n]+/g, ' ');
      refuse(socket, 503, 'Service Unavailable', `WEFT_ERR_PROXY_CONNECT_FAILURE: ${reason}`);
      return release();
    }
    if (released) return void upstream.destroy();
    up = upstream;
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
    upstream.once('close', release);
    upstream.once('error', release);
  });
  socket.once('close', release);
  socket.once('error', release);
}
