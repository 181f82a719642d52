import type { EncodedResource } from '@weft/xds';

/** The resources of one type as one connected node sees them (the ResourceProvider, bound). */
export interface TypeSource {
  /** Names a wildcard subscription of this type gets. */
  wildcardNames(): readonly string[];
  /** The resource, or null when it does not exist for this node. */
  resource(name: string): EncodedResource | null;
}

/**
 * Told when the names a stream watches for one type change (the server's SubscriberIndex): a stream
 * watches a name it subscribed to explicitly or holds, and every wildcard type it subscribes to.
 */
export interface WatchSink {
  watch(name: string): void;
  unwatch(name: string): void;
  wildcard(on: boolean): void;
}

/** What one delta response for one type carries. */
export interface DeltaPlan {
  readonly resources: readonly EncodedResource[];
  readonly removed: readonly string[];
}

export const EMPTY_PLAN: DeltaPlan = Object.freeze({ resources: [], removed: [] });

export function isEmptyPlan(plan: DeltaPlan): boolean {
  return plan.resources.length === 0 && plan.removed.length === 0;
}

/** A reported problem with an ACK/NACK or a response, for status and metrics. */
export type AnswerKind = 'ack' | 'nack' | 'unknown';

export interface AnswerOutcome {
  readonly kind: AnswerKind;
  /** seenAt of the mesh change the answered response carried (null for replies to subscriptions). */
  readonly seenAt: number | null;
}
