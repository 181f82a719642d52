import { Counter, Gauge, Registry, type LabelValues } from 'prom-client';
import { spiffeNamespace, type PeerWorkload } from './peer-metadata';
import { RequestSeries, labelText, renderRequestSeries } from './request-series';

/** Istio's standard request metric labels (a subset, same names), so Istio dashboards and Kiali work. */
type RequestLabel =
  | 'reporter'
  | 'source_workload'
  | 'source_workload_namespace'
  | 'destination_workload'
  | 'destination_workload_namespace'
  | 'destination_service'
  | 'destination_service_name'
  | 'destination_service_namespace'
  | 'destination_cluster'
  | 'request_protocol'
  | 'response_code'
  | 'grpc_response_status'
  | 'response_flags'
  | 'connection_security_policy'
  | 'source_principal'
  | 'destination_principal';

const TCP_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_service',
  'destination_service_name',
  'destination_cluster',
  'connection_security_policy',
] as const;
type TcpLabel = (typeof TCP_LABELS)[number];


export interface RequestRecord {
  /** Arrived on an INBOUND listener (reporter="destination"). */
  inbound: boolean;
  cluster: string;
  protocol: string;
  status: number;
  grpcStatus: string;
  flags: string;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  /** The connection was mutual TLS (inbound: verified client certificate; outbound: an mTLS cluster). */
  mtls: boolean;
  /** The other side's SPIFFE ID: the verified client, or the identity the upstream must present. */
  peerPrincipal: string | null;
  /** The other side's workload from its peer metadata, as far as it can be believed (trustedPeer); null: unknown. */
  peer: PeerWorkload | null;
}

/**
 * The proxy's metrics: Istio's standard request/TCP metrics plus upstream cluster stats. Label sets
 * are resolved once per (cluster, code, flags) and cached, so recording a request is a map lookup and
 * four observations.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly tcpOpened = new Counter({ name: 'istio_tcp_connections_opened_total', help: 'TCP connections opened', labelNames: TCP_LABELS, registers: [this.registry] });
  readonly tcpClosed = new Counter({ name: 'istio_tcp_connections_closed_total', help: 'TCP connections closed', labelNames: TCP_LABELS, registers: [this.registry] });
  readonly tcpSent = new Counter({ name: 'istio_tcp_sent_bytes_total', help: 'Bytes sent to the downstream of TCP connections', labelNames: TCP_LABELS, registers: [this.registry] });
  readonly tcpReceived = new Counter({ name: 'istio_tcp_received_bytes_total', help: 'Bytes received from the downstream of TCP connections', labelNames: TCP_LABELS, registers: [this.registry] });
  readonly upstreamRq = new Counter({
    name: 'weft_proxy_upstream_rq_total',
    help: 'Upstream requests by cluster and response class',
    labelNames: ['cluster_name', 'response_code_class'],
    registers: [this.registry],
  });
  readonly retries = new Counter({ name: 'weft_proxy_upstream_rq_retry_total', help: 'Upstream request retries', labelNames: ['cluster_name'], registers: [this.registry] });
  readonly overflows = new Counter({
    name: 'weft_proxy_upstream_overflow_total',
    help: 'Requests refused by a circuit breaker, by resource',
    labelNames: ['cluster_name', 'resource'],
    registers: [this.registry],
  });
  readonly ejections = new Counter({ name: 'weft_proxy_outlier_ejections_total', help: 'Hosts ejected by outlier detection', labelNames: ['cluster_name'], registers: [this.registry] });
  readonly ejected = new Gauge({ name: 'weft_proxy_outlier_ejected_hosts', help: 'Hosts currently ejected', labelNames: ['cluster_name'], registers: [this.registry] });
  readonly dnsLookups = new Counter({
    name: 'weft_proxy_dns_lookups_total',
    help: 'DNS lookups of STRICT_DNS / LOGICAL_DNS clusters, by outcome (resolved, empty: no address, failed: last hosts kept)',
    labelNames: ['cluster_name', 'outcome'],
    registers: [this.registry],
  });
  readonly configSwaps = new Counter({ name: 'weft_proxy_config_swaps_total', help: 'Configuration snapshots applied', registers: [this.registry] });
  readonly configRejections = new Counter({ name: 'weft_proxy_config_rejections_total', help: 'Configuration snapshots rejected', registers: [this.registry] });
  readonly xdsUpdates = new Counter({ name: 'weft_proxy_xds_updates_total', help: 'xDS responses accepted (ACKed), by type', labelNames: ['type'], registers: [this.registry] });
  readonly xdsNacks = new Counter({ name: 'weft_proxy_xds_nacks_total', help: 'xDS responses rejected (NACKed), by type', labelNames: ['type'], registers: [this.registry] });
  readonly xdsConnected = new Gauge({ name: 'weft_proxy_xds_connected', help: '1 while an ADS stream to the xDS server is up', registers: [this.registry] });

  private readonly cache = new Map<string, RequestSeries>();
  /** The proxy's own SPIFFE ID (workload identity), null without one. */
  ownPrincipal: () => string | null = () => null;
  private readonly tcpCache = new Map<string, LabelValues<TcpLabel>>();

  constructor(
    private readonly workload: string,
    private readonly namespace: string,
    /** The local service (--service): the destination service of inbound requests whose cluster names none. */
    private readonly service = workload,
  ) {}

  /** Records one request: one map lookup, then plain accumulator updates (rendered at scrape time). */
  record(r: RequestRecord): void {
    const peer = r.peer === null ? '' : `${r.peer.workload}.${r.peer.namespace}`;
    const key = `${r.inbound ? 'd' : 's'}|${r.cluster}|${r.status}|${r.flags}|${r.grpcStatus}|${r.protocol}|${r.mtls ? 'm' : ''}|${r.peerPrincipal ?? ''}|${peer}`;
    let series = this.cache.get(key);
    if (series === undefined) {
      series = new RequestSeries(labelText(this.requestLabels(r)));
      this.cache.set(key, series);
    }
    series.record(r.durationMs, r.requestBytes, r.responseBytes);
  }

  /** The whole exposition: Istio request metrics, then everything in the prom-client registry. */
  async text(): Promise<string> {
    return renderRequestSeries([...this.cache.values()]) + (await this.registry.metrics());
  }

  private requestLabels(r: RequestRecord): Record<RequestLabel, string> {
    const named = serviceOf(r.cluster);
    // Inbound clusters (Istio's `inbound|9080||`) name no service: it is the local one.
    const svc = r.inbound && named.host === '' ? { host: `${this.service}.${this.namespace}.svc.cluster.local`, name: this.service, namespace: this.namespace } : named;
    return {
      // Istio: the client-side sidecar reports as source, the server-side (inbound) one as destination.
      reporter: r.inbound ? 'destination' : 'source',
      ...this.workloads(r),
      destination_service: svc.host,
      destination_service_name: svc.name,
      destination_service_namespace: svc.namespace,
      destination_cluster: r.cluster,
      request_protocol: r.protocol,
      response_code: String(r.status),
      grpc_response_status: r.grpcStatus,
      response_flags: r.flags === '' ? '-' : r.flags,
      connection_security_policy: r.mtls ? 'mutual_tls' : 'none',
      ...this.principals(r),
    };
  }

  /**
   * Istio's workload labels: this proxy's own on its side; the peer's from its peer metadata
   * (inbound: the request's, outbound: the response's), else 'unknown' — with the namespace of its
   * certificate when only that is known.
   */
  private workloads(r: RequestRecord): Pick<Record<RequestLabel, string>, 'source_workload' | 'source_workload_namespace' | 'destination_workload' | 'destination_workload_namespace'> {
    const peerWorkload = r.peer?.workload ?? 'unknown';
    const peerNamespace = r.peer?.namespace ?? (r.mtls ? spiffeNamespace(r.peerPrincipal) : null) ?? 'unknown';
    return r.inbound
      ? { source_workload: peerWorkload, source_workload_namespace: peerNamespace, destination_workload: this.workload, destination_workload_namespace: this.namespace }
      : { source_workload: this.workload, source_workload_namespace: this.namespace, destination_workload: peerWorkload, destination_workload_namespace: peerNamespace };
  }

  /** Istio's principal labels: known only over mTLS ('unknown' otherwise), one series per peer identity. */
  private principals(r: RequestRecord): { source_principal: string; destination_principal: string } {
    const own = r.mtls ? (this.ownPrincipal() ?? 'unknown') : 'unknown';
    const peer = r.mtls ? (r.peerPrincipal ?? 'unknown') : 'unknown';
    return r.inbound ? { source_principal: peer, destination_principal: own } : { source_principal: own, destination_principal: peer };
  }

  tcpLabels(cluster: string, inbound: boolean): LabelValues<TcpLabel> {
    const key = `${inbound ? 'd' : 's'}|${cluster}`;
    let labels = this.tcpCache.get(key);
    if (labels === undefined) {
      const svc = serviceOf(cluster);
      labels = {
        reporter: inbound ? 'destination' : 'source',
        source_workload: this.workload,
        source_workload_namespace: this.namespace,
        destination_service: svc.host,
        destination_service_name: svc.name,
        destination_cluster: cluster,
        connection_security_policy: 'none',
      };
      this.tcpCache.set(key, labels);
    }
    return labels;
  }
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` (Istio cluster names) or a plain name. */
function serviceOf(cluster: string): { host: string; name: string; namespace: string } {
  const parts = cluster.split('|');
  const host = parts.length === 4 ? parts[3] : cluster;
  const labels = host.split('.');
  return { host, name: labels[0] ?? host, namespace: labels.length > 1 ? labels[1] : 'unknown' };
}
