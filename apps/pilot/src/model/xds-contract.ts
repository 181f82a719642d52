import type { EncodedResource, TypeUrl } from '@weft/xds';

/**
 * The seams inside pilot's framework-free core (shared by model/generators, push, delta/server and
 * the NestJS shell). Keep this file small and stable: every part of pilot codes against it.
 */

/** Who is asking, from `node.user_agent_name`: weft-proxy → weft, envoy → envoy, grpc-js → grpc. */
export type ClientKind = 'weft' | 'envoy' | 'grpc';

export interface NodeLocality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

/**
 * A connected xDS client, parsed once from the first request's `node`. Metadata keys (Struct string
 * values, as Istio's sidecars send them): NAMESPACE, SERVICE (the workload's service name), LABELS
 * (a JSON object string, or a Struct), APP_PORT, OUTBOUND_PORT, INBOUND_PORT.
 */
export interface ProxyNode {
  readonly id: string;
  readonly cluster: string;
  readonly kind: ClientKind;
  readonly userAgent: string;
  readonly namespace: string;
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: NodeLocality;
  /** Local app port (weft/envoy sidecars): an inbound listener and `inbound|<port>||` cluster exist only when set. */
  readonly appPort: number | null;
  readonly outboundPort: number;
  readonly inboundPort: number;
}

/**
 * What the server asks of the model. Results are cached by the model: for the same (scope of the
 * node, type, name) the same EncodedResource object is returned until its content changes, so a
 * resource is encoded once and shared by every subscriber.
 */
export interface ResourceProvider {
  /** Names a wildcard (`*` / legacy empty) subscription of this type gets for this node. */
  wildcardNames(typeUrl: TypeUrl, node: ProxyNode): readonly string[];
  /** The resource for this node, or null when it does not exist (delta: sent as removed). */
  resource(typeUrl: TypeUrl, node: ProxyNode, name: string): EncodedResource | null;
}

/**
 * One change of mesh state (registry or rules), as the model reports it. The server re-evaluates only
 * the streams subscribed to a named resource (plus wildcard subscribers of the listed types), compares
 * content versions and sends what differs: work and bytes proportional to subscribers.
 */
export interface MeshChange {
  /** Resources whose content may have changed or that may have appeared/disappeared, by type. */
  readonly resources: ReadonlyMap<TypeUrl, ReadonlySet<string>>;
  /** Types whose wildcard name set may have changed (a service/Sidecar added or removed). */
  readonly wildcard: ReadonlySet<TypeUrl>;
  /** `Date.now()` when pilot first saw the change (registry event or rule write): convergence metric start. */
  readonly seenAt: number;
}

export type MeshChangeListener = (change: MeshChange) => void;

/** Per-type sync state of one proxy, as `weftctl proxy-status` shows it. */
export type SyncState = 'SYNCED' | 'STALE' | 'NACK' | 'NOT_SENT';

export interface TypeSyncStatus {
  /** `*` for a wildcard subscription, else the names. */
  readonly subscribed: readonly string[];
  /** Names and versions the client last ACKed (delta) or holds (SotW). */
  readonly acked: Readonly<Record<string, string>>;
  readonly state: SyncState;
  /** The NACK's error_detail.message, null otherwise. */
  readonly error: string | null;
  readonly lastSentAt: number | null;
  readonly lastAckAt: number | null;
}

export interface ProxySyncStatus {
  readonly proxyId: string;
  readonly node: ProxyNode;
  /** Which pilot replica holds the stream. */
  readonly replica: string;
  readonly protocol: 'delta' | 'sotw';
  readonly connectedAt: number;
  /** The SPIFFE ID of the client certificate (streams on the mutual-TLS port); null on plaintext. */
  readonly peerIdentity?: string | null;
  /** Keyed by short type name: lds, rds, vhds, cds, eds. */
  readonly types: Readonly<Record<string, TypeSyncStatus>>;
}

/** Where the server reports sync state (the shell stores it in Redis, shared by every replica). */
export interface SyncStatusSink {
  update(status: ProxySyncStatus): void;
  disconnected(proxyId: string, replica: string): void;
}
