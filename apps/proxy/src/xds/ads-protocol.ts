import type { AnyBytes } from '@weft/xds';
import type { Interest, Interests } from './subscription-planner';
import type { XdsKind } from './xds-resource';

/** One resource of a response, as both protocols deliver it. */
export interface ResponseResource {
  readonly name: string;
  readonly version: string;
  readonly any: AnyBytes;
  /** Delta `Resource.aliases` (VHDS: the on-demand names this host answers). */
  readonly aliases: readonly string[];
  /** Already decoded (SotW decodes to learn the name), else null. */
  readonly decoded: Record<string, unknown> | null;
}

/** A DeltaDiscoveryResponse or DiscoveryResponse, normalised. */
export interface AdsUpdate {
  readonly typeUrl: string;
  readonly nonce: string;
  readonly versionInfo: string;
  readonly resources: readonly ResponseResource[];
  /** Delta `removed_resources`; SotW LDS/CDS: held names the response no longer carries. */
  readonly removed: readonly string[];
  /** Resources that could not even be decoded (SotW): reported in the NACK. */
  readonly undecodable: readonly string[];
}

/** Names and versions the proxy holds of one kind. */
export type HeldVersions = (kind: XdsKind) => Readonly<Record<string, string>>;

/** The first message of a stream carries the node; the connection adds it. */
export type AdsRequest = Record<string, unknown>;

/**
 * The wire side of the ADS client, one implementation per protocol: what to send when a stream opens
 * (subscriptions, with what is held so a reconnect resyncs), when an interest changes, and the ACK or
 * NACK of a response. Protocol state that survives reconnects (SotW versions) lives here.
 */
export interface AdsProtocol {
  readonly name: 'delta' | 'sotw';
  /** gRPC method of envoy.service.discovery.v3.AggregatedDiscoveryService. */
  readonly method: 'DeltaAggregatedResources' | 'StreamAggregatedResources';
  open(interests: Interests, held: HeldVersions): AdsRequest[];
  change(kind: XdsKind, before: Interest, after: Interest): AdsRequest | null;
  parse(message: unknown, held: HeldVersions): AdsUpdate;
  ack(update: AdsUpdate): AdsRequest;
  nack(update: AdsUpdate, message: string): AdsRequest;
}

/** Envoy's order for a stream's first requests: clusters and endpoints before listeners and routes. */
export const OPEN_ORDER: readonly XdsKind[] = ['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration', 'virtualHost'];

/** google.rpc.Code INVALID_ARGUMENT: the NACK's error_detail code. */
export const INVALID_ARGUMENT = 3;
