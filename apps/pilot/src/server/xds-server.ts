import type { Server, ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from '@weft/shared';
import { checkPeerIdentity, peerIdentityOf, type PeerIdentity } from '../identity/peer-identity';
import { adsDefinition, TYPE_URL, type XdsNode } from '@weft/xds';
import type { MeshChange, ResourceProvider, SyncStatusSink } from '../model/xds-contract';
import { DEFAULT_DEBOUNCE, Debouncer, type DebounceOptions } from '../push/debouncer';
import { DEFAULT_PUSH_QUEUE, PushQueue, type PushQueueOptions } from '../push/push-queue';
import type { PushRequest } from '../push/push-request';
import { SubscriberIndex } from '../push/subscriber-index';
import { DeltaConnection } from './delta-connection';
import { parseProxyNode } from './proxy-node';
import { SotwConnection } from './sotw-connection';
import { failCall, type ConnectionContext, type XdsConnection } from './xds-connection';
import { shutdownError } from './xds-errors';
import type { XdsMetrics, XdsProtocol } from './xds-metrics';

export interface XdsServerOptions {
  readonly provider: ResourceProvider;
  readonly status: SyncStatusSink;
  /** This pilot replica's name, reported with every status. */
  readonly replica: string;
  readonly logger: Logger;
  readonly metrics: XdsMetrics;
  /** Default { quietMs: 100, maxMs: 1000 }. */
  readonly debounce?: DebounceOptions;
  /**
   * Endpoint-only changes (EDS names, no wildcard change) take a fast path with their own, shorter
   * debounce (default { quietMs: 10, maxMs: 100 }): an instance going away must reach its subscribers
   * quickly, and such a change regenerates only that service's ClusterLoadAssignments.
   */
  readonly endpointDebounce?: DebounceOptions;
  /** Default { batch: 64, ackTimeoutMs: 5000 }. */
  readonly pushQueue?: PushQueueOptions;
  /** Minimum interval between two status reports of one stream (default 200 ms, trailing). */
  readonly statusIntervalMs?: number;
  /** The mesh's trust domain: a client certificate (TLS port) must carry an identity of it (default cluster.local). */
  readonly trustDomain?: string;
}

type Stream = ServerDuplexStream<unknown, unknown>;
type FirstRequest = { readonly node?: XdsNode | null };

const DEFAULT_STATUS_INTERVAL_MS = 200;
const DEFAULT_ENDPOINT_DEBOUNCE: DebounceOptions = Object.freeze({ quietMs: 10, maxMs: 100 });

/** A change naming only ClusterLoadAssignments (the registry's instance churn). */
function isEndpointOnly(change: MeshChange): boolean {
  if (change.wildcard.size > 0) return false;
  for (const [typeUrl, names] of change.resources) if (typeUrl !== TYPE_URL.clusterLoadAssignment && names.size > 0) return false;
  return true;
}

/**
 * Pilot's xDS edge: serves envoy.service.discovery.v3.AggregatedDiscoveryService (Delta and SotW)
 * on a grpc-js server, turns mesh changes into debounced pushes to the streams subscribed to what
 * changed, and reports every stream's sync state.
 */
export class XdsServer {
  private readonly logger: Logger;
  private readonly metrics: XdsMetrics;
  private readonly sink: SyncStatusSink;
  private readonly replica: string;
  private readonly index: SubscriberIndex<XdsConnection>;
  private readonly queue: PushQueue<XdsConnection>;
  private readonly debouncer: Debouncer;
  private readonly endpointDebouncer: Debouncer;
  private readonly live: Set<XdsConnection>;
  private readonly byProxy: Map<string, Set<XdsConnection>>;
  private readonly ctx: ConnectionContext;
  private readonly trustDomain: string;
  private closed: boolean;

  constructor(options: XdsServerOptions) {
    this.logger = options.logger.child({ component: 'xds-server' });
    this.metrics = options.metrics;
    this.sink = options.status;
    this.replica = options.replica;
    this.index = new SubscriberIndex();
    this.queue = new PushQueue(options.pushQueue ?? DEFAULT_PUSH_QUEUE, (connection, err) => this.failed(connection, err));
    this.debouncer = new Debouncer(options.debounce ?? DEFAULT_DEBOUNCE, (request) => this.fanOut(request));
    this.endpointDebouncer = new Debouncer(options.endpointDebounce ?? DEFAULT_ENDPOINT_DEBOUNCE, (request) => this.fanOut(request));
    this.live = new Set();
    this.byProxy = new Map();
    this.closed = false;
    this.trustDomain = options.trustDomain ?? 'cluster.local';
    this.ctx = {
      provider: options.provider,
      index: this.index,
      metrics: options.metrics,
      sink: options.status,
      replica: options.replica,
      logger: this.logger,
      statusIntervalMs: options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
      settled: (connection) => this.queue.settled(connection),
      ended: (connection) => this.ended(connection),
    };
  }

  /** Registers StreamAggregatedResources and DeltaAggregatedResources on `server`. */
  addTo(server: Server): void {
    server.addService(adsDefinition().service, {
      StreamAggregatedResources: (call: Stream) => this.serve(call, 'sotw'),
      DeltaAggregatedResources: (call: Stream) => this.serve(call, 'delta'),
    });
  }

  /** A change of mesh state: debounced, then pushed to the streams watching what changed. */
  onMeshChange(change: MeshChange): void {
    if (this.closed) return;
    this.metrics.debounced(1);
    if (isEndpointOnly(change)) this.endpointDebouncer.add(change);
    else this.debouncer.add(change);
  }

  /** Pushes the pending debounced changes now. */
  flush(): void {
    this.endpointDebouncer.flushNow();
    this.debouncer.flushNow();
  }

  /** Ends every stream with UNAVAILABLE (clients reconnect to another replica) and stops pushing. */
  close(): void {
    this.closed = true;
    this.debouncer.close();
    this.endpointDebouncer.close();
    for (const connection of [...this.live]) connection.close(shutdownError());
    this.queue.close();
  }

  connections(): number {
    return this.live.size;
  }

  private serve(call: Stream, protocol: XdsProtocol): void {
    let connection: XdsConnection | null = null;
    let rejected = false;
    call.on('data', (request: FirstRequest) => {
      if (rejected) return;
      if (connection === null) connection = this.open(call, request, protocol);
      if (connection === null) {
        rejected = true;
        return;
      }
      if (!connection.isOpen()) return;
      try {
        connection.handle(request);
      } catch (err) {
        this.failed(connection, err);
      }
    });
    call.on('end', () => {
      if (connection !== null) connection.close(null);
      else if (!rejected) call.end();
    });
    call.on('cancelled', () => connection?.dispose());
    call.on('close', () => connection?.dispose());
    call.on('error', (err: unknown) => this.logger.debug({ err }, 'xds stream error'));
  }

  private open(call: Stream, first: FirstRequest, protocol: XdsProtocol): XdsConnection | null {
    if (this.closed) {
      failCall(call, shutdownError());
      return null;
    }
    let connection: XdsConnection;
    let peer: PeerIdentity | null;
    try {
      const node = parseProxyNode(first.node);
      peer = this.authenticate(call, node.namespace);
      connection = protocol === 'delta' ? new DeltaConnection(call, node, this.ctx) : new SotwConnection(call, node, this.ctx);
    } catch (err) {
      this.logger.info({ err }, 'xds stream rejected');
      failCall(call, err);
      return null;
    }
    connection.peerIdentity = peer?.spiffeId ?? null;
    this.live.add(connection);
    let same = this.byProxy.get(connection.node.id);
    if (same === undefined) {
      same = new Set();
      this.byProxy.set(connection.node.id, same);
    }
    same.add(connection);
    this.metrics.connected(connection.protocol, 1);
    this.logger.info({ proxy: connection.node.id, kind: connection.node.kind, protocol: connection.protocol, peer: peer?.spiffeId ?? null }, 'xds stream opened');
    connection.reportStatus();
    return connection;
  }

  /**
   * On the mutual-TLS port: the client certificate's identity, which must be of the node's namespace
   * (throws the refusal). On the plaintext port: null.
   */
  private authenticate(call: Stream, nodeNamespace: string): PeerIdentity | null {
    const auth = call.getAuthContext();
    if (auth.transportSecurityType !== 'ssl') return null;
    const peer = peerIdentityOf(auth.sslPeerCertificate);
    const refused = checkPeerIdentity(peer, nodeNamespace, this.trustDomain);
    if (refused !== null) throw refused;
    return peer;
  }

  private ended(connection: XdsConnection): void {
    if (!this.live.delete(connection)) return;
    this.queue.remove(connection);
    this.metrics.connected(connection.protocol, -1);
    const same = this.byProxy.get(connection.node.id);
    same?.delete(connection);
    this.logger.info({ proxy: connection.node.id, protocol: connection.protocol }, 'xds stream closed');
    if (same !== undefined && same.size > 0) {
      // Another stream of the same proxy (a quick reconnect) is still here: it owns the status now.
      for (const other of same) other.reportStatus();
      return;
    }
    this.byProxy.delete(connection.node.id);
    try {
      this.sink.disconnected(connection.node.id, this.replica);
    } catch (err) {
      this.logger.error({ err, proxy: connection.node.id }, 'sync status disconnect failed');
    }
  }

  private fanOut(request: PushRequest): void {
    for (const [connection, push] of this.index.fanOut(request)) this.queue.enqueue(connection, push);
  }

  private failed(connection: XdsConnection, err: unknown): void {
    this.logger.error({ err, proxy: connection.node.id }, 'xds stream failed');
    connection.close(err);
  }
}
