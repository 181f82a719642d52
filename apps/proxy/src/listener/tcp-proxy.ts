import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ListenerModel, TcpProxyModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { ClusterManager } from '../upstream/cluster-manager';
import type { ProxyMetrics } from '../observability/proxy-metrics';

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
  ) {
    this.config = model.tcp as TcpProxyModel;
    this.server = createServer((s) => this.onConnection(s));
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
    const labels = this.metrics.tcpLabels(cfg.cluster);
    this.metrics.tcpOpened.inc(labels);
    host.activeRequests++;
    const up = connect({ host: host.address, port: host.port, timeout: cluster.model.connectTimeoutMs });
    this.track(up);
    up.once('connect', () => up.setTimeout(cfg.idleTimeoutMs ?? 0));
    down.setTimeout(cfg.idleTimeoutMs ?? 0);
    const onTimeout = (): void => {
      down.destroy();
      up.destroy();
    };
    up.on('timeout', onTimeout);
    down.on('timeout', onTimeout);
    down.pipe(up);
    up.pipe(down);
    const close = (): void => {
      down.destroy();
      up.destroy();
    };
    up.once('error', close);
    down.once('error', close);
    let closed = false;
    const onClose = (): void => {
      close();
      if (closed) return;
      closed = true;
      host.activeRequests--;
      this.metrics.tcpClosed.inc(labels);
      this.metrics.tcpReceived.inc(labels, down.bytesRead);
      this.metrics.tcpSent.inc(labels, down.bytesWritten);
    };
    up.once('close', onClose);
    down.once('close', onClose);
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
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
