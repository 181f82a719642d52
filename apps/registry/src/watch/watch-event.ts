import type { Instance, RegistryEvent, RegistryEventType, Service } from '@weft/api';

export type WatchEventType = RegistryEventType | 'snapshot';

/**
 * Why a snapshot was sent: `initial` (watch start), `resync` (a revision gap: events were missed),
 * `discovered` (a namespace watch met a service it had no state for, past its first revision).
 */
export type SnapshotReason = 'initial' | 'resync' | 'discovered';

/**
 * One item of a watch stream (proto `weft.registry.v1.WatchEvent`): a change event as published on
 * NATS, or — type `snapshot` — the full state of one service at `revision`.
 */
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly namespace: string;
  readonly service: string;
  readonly revision: number;
  /** snapshot: the service, or null when it does not exist (deleted or never created). */
  readonly serviceState: Service | null;
  readonly instance: Instance | null;
  /** snapshot: every instance at `revision`; empty for change events. */
  readonly instances: readonly Instance[];
  /** Change events: `api`, `ttl`, `probe`, `static`, `grace`, `heartbeat`; snapshots: a SnapshotReason. */
  readonly reason: string;
  readonly at: number;
}

export function watchEventOf(e: RegistryEvent): WatchEvent {
  return {
    type: e.type,
    namespace: e.namespace,
    service: e.service,
    revision: e.revision,
    serviceState: e.serviceState,
    instance: e.instance,
    instances: [],
    reason: e.reason,
    at: e.at,
  };
}

export interface ServiceState {
  readonly namespace: string;
  readonly service: string;
  readonly revision: number;
  readonly serviceState: Service | null;
  readonly instances: readonly Instance[];
}

export function snapshotEvent(state: ServiceState, reason: SnapshotReason, at = Date.now()): WatchEvent {
  return { type: 'snapshot', ...state, instance: null, reason, at };
}
