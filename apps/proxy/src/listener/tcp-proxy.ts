import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ListenerModel, TcpProxyModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { ProxyMetrics } from '../observability/proxy-metrics';
import { listenOn } from './listen';

/** Where TCP activity is reported besides the metrics (telemetry), per connection. */
export interface TcpTelemetry {
  onTcp(cluster: string, inbound: boolean, opened: boolean, sentBytes: number, receivedBytes: number): void;
}

/**
 * A TCP proxy listener (envoy.filters.network.tcp_proxy): each downstream connection is piped to one
 * host of the cluster, picked by its load balancer, with connect and idle timeouts; bytes and
 * connections are counted with Istio's TCP metrics.
 */
export class TcpProxyListener {
  readonly server: Server;
  private config: TcpProxyModel;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly model: ListenerModel,
    private readonly clusters: ClusterManager,
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
    private readonly telemetry: TcpTelemetry | null = null,
  ) {
    this.config = model.tcp as TcpProxyModel;
    this.server = createServer({ allowHalfOpen: true }, (s) => this.onConnection(s));
  }

  update(model: ListenerModel): void {
    this.config = model.tcp as TcpProxyModel;
  }

  private onConnection(down: Socket): void {
    const cfg = this.config;
    this.track(down);
    const cluster = this.clusters.get(cfg.cluster);
    const host = cluster?.pick(null, null) ?? null;
    if (cluster === undefined || host === null) {
      this.log.debug({ cluster: cfg.cluster }, 'tcp: no healthy upstream');
      down.destroy();
      return;
    }
    const labels = this.metrics.tcpLabels(cfg.cluster, this.model.direction === 'INBOUND');
    this.metrics.tcpOpened.inc(labels);
    const inbound = this.model.direction === 'INBOUND';
    this.telemetry?.onTcp(cfg.cluster, inbound, true, 0, 0);
    host.activeRequests++;
    const up = connect({ host: host.address, port: host.port, timeout: cluster.model.connectTimeoutMs, allowHalfOpen: true });
    this.track(up);
    up.once('connect', () => up.setTimeout(cfg.idleTimeoutMs ?? 0));
    down.setTimeout(cfg.idleTimeoutMs ?? 0);
    const abort = (): void => {
      down.destroy();
      up.destroy();
    };
    up.on('timeout', abort);
    down.on('timeout', abort);
    up.on('error', abort);
    down.on('error', abort);
    // Half-close travels both ways (a FIN from one side ends the other side's writes); a side that
    // closes without having finished both directions takes the other one down with it.
    down.pipe(up);
    up.pipe(down);
    up.once('close', () => {
      host.activeRequests--;
      if (!closedCleanly(up)) down.destroy();
    });
    down.once('close', () => {
      if (!closedCleanly(down)) up.destroy();
      this.metrics.tcpClosed.inc(labels);
      this.metrics.tcpReceived.inc(labels, down.bytesRead);
      this.metrics.tcpSent.inc(labels, down.bytesWritten);
      this.telemetry?.onTcp(cfg.cluster, inbound, false, down.bytesWritten, down.bytesRead);
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.model.address, this.model.port);
  }

  /** Stops accepting; open connections finish by themselves (or are cut at `close`). */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get activeConnections(): number {
    return this.sockets.size;
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}

/** Whether a socket closed after both its directions ended (FIN received and sent), not by a reset. */
function closedCleanly(s: Socket): boolean {
  return s.readableEnded && s.writableFinished;
}
