import type { EncodedResource } from '@weft/xds';
import type { TypeSyncStatus } from '../model/xds-contract';
import { AckLog } from './ack-log';
import type { AnswerOutcome, DeltaPlan, TypeSource, WatchSink } from './type-source';

export const WILDCARD = '*';

/** The subscription part of a DeltaDiscoveryRequest. */
export interface DeltaSubscription {
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialVersions: Readonly<Record<string, string>>;
}

/** Builds one response's content: dedupes names, a name is either sent or removed. */
class PlanBuilder {
  readonly resources = new Map<string, EncodedResource>();
  readonly removed = new Set<string>();

  build(): DeltaPlan {
    return { resources: [...this.resources.values()], removed: [...this.removed] };
  }
}

/**
 * Delta (incremental) xDS state of one type on one stream (xds_protocol.rst "Incremental xDS"):
 * explicit names and the wildcard, what the client holds (name → version: from
 * initial_resource_versions, then as sent), and the ACK log. Plans never resend a version the client
 * holds, except for names the client explicitly (re)subscribes to after the first request, which the
 * protocol requires ("the client may have forgotten them").
 */
export class DeltaTypeState {
  readonly wildcardCapable: boolean;
  readonly explicit: Set<string>;
  /** What the client holds, as far as the server knows (updated as responses are sent). */
  readonly has: Map<string, string>;
  readonly log: AckLog;
  private readonly sink: WatchSink;
  private readonly watched: Set<string>;
  private started: boolean;
  private wildcardOn: boolean;

  constructor(wildcardCapable: boolean, sink: WatchSink) {
    this.wildcardCapable = wildcardCapable;
    this.explicit = new Set();
    this.has = new Map();
    this.log = new AckLog();
    this.sink = sink;
    this.watched = new Set();
    this.started = false;
    this.wildcardOn = false;
  }

  get wildcard(): boolean {
    return this.wildcardOn;
  }

  /** Applies a request's subscription changes (honoured whatever its nonce) and plans the answer. */
  subscribe(request: DeltaSubscription, source: TypeSource): DeltaPlan {
    const first = !this.started;
    this.started = true;
    if (first) this.begin(request);
    const plan = new PlanBuilder();
    const requested = new Set<string>();
    let wildcardAdded = first && this.wildcardOn;
    for (const name of request.subscribe) {
      if (name === WILDCARD) {
        wildcardAdded = wildcardAdded || !this.wildcardOn;
        this.setWildcard(true);
        continue;
      }
      this.explicit.add(name);
      requested.add(name);
      this.sync(name);
    }
    const leftWildcard = this.unsubscribe(request.unsubscribe, requested);
    const force = first ? new Set<string>() : requested;
    if (wildcardAdded) this.planWildcard(source, plan, force, requested);
    else for (const name of requested) this.consider(plan, name, source.resource(name), force.has(name), true);
    if (first && !this.wildcardOn) this.dropUnsubscribedHoldings();
    this.answerLeftWildcard(leftWildcard, source, plan);
    return plan.build();
  }

  /** Re-evaluates after a mesh change: the changed names this stream watches, or its whole wildcard set. */
  planPush(source: TypeSource, names: ReadonlySet<string> | undefined, wildcardChanged: boolean): DeltaPlan {
    const plan = new PlanBuilder();
    if (wildcardChanged && this.wildcardOn) {
      this.planWildcard(source, plan, new Set(), new Set());
      return plan.build();
    }
    if (names === undefined) return plan.build();
    for (const name of names) {
      if (this.watched.has(name)) this.consider(plan, name, source.resource(name), false, false);
    }
    return plan.build();
  }

  /** Records a response sent with this plan: the client now holds what it carried. */
  sent(nonce: string, plan: DeltaPlan, seenAt: number | null, now: number): void {
    for (const r of plan.resources) {
      this.has.set(r.name, r.version);
      this.sync(r.name);
    }
    for (const name of plan.removed) {
      this.has.delete(name);
      this.sync(name);
    }
    this.log.sent(nonce, plan, seenAt, now);
  }

  answer(nonce: string, error: string | null, now: number): AnswerOutcome {
    return this.log.answer(nonce, error, now);
  }

  /** Stops watching everything (the stream closed). */
  release(): void {
    for (const name of this.watched) this.sink.unwatch(name);
    this.watched.clear();
    if (this.wildcardOn) this.sink.wildcard(false);
    this.wildcardOn = false;
  }

  status(): TypeSyncStatus {
    const names = [...this.explicit].sort();
    return {
      subscribed: this.wildcardOn ? [WILDCARD, ...names] : names,
      acked: Object.fromEntries(this.log.acked),
      state: this.log.state(),
      error: this.log.error(),
      lastSentAt: this.log.lastSentAt,
      lastAckAt: this.log.lastAckAt,
    };
  }

  private begin(request: DeltaSubscription): void {
    for (const [name, version] of Object.entries(request.initialVersions)) {
      this.has.set(name, version);
      this.log.assumeAcked(name, version);
      this.sync(name);
    }
    const legacyWildcard = request.subscribe.length === 0 && request.unsubscribe.length === 0;
    if (legacyWildcard && this.wildcardCapable) this.setWildcard(true);
  }

  /** Returns the explicit names dropped while the wildcard stays on (the client needs an answer for them). */
  private unsubscribe(names: readonly string[], requested: Set<string>): string[] {
    const leftWildcard: string[] = [];
    for (const name of names) {
      if (name === WILDCARD) {
        this.setWildcard(false);
        this.dropUnsubscribedHoldings();
        continue;
      }
      this.explicit.delete(name);
      requested.delete(name);
      if (this.wildcardOn) {
        leftWildcard.push(name);
      } else {
        this.has.delete(name);
        this.log.forget(name);
      }
      this.sync(name);
    }
    return leftWildcard;
  }

  /**
   * xds_protocol.rst "Unsubscribing": a name dropped while the wildcard stays on is sent again when the
   * wildcard covers it, else removed, so the client knows whether to keep its copy.
   */
  private answerLeftWildcard(names: readonly string[], source: TypeSource, plan: PlanBuilder): void {
    if (names.length === 0) return;
    const covered = new Set(source.wildcardNames());
    for (const name of names) {
      const resource = covered.has(name) ? source.resource(name) : null;
      if (resource !== null) plan.resources.set(name, resource);
      else plan.removed.add(name);
    }
  }

  /** Holdings neither explicit nor covered by a wildcard are dropped silently (the client dropped them too). */
  private dropUnsubscribedHoldings(): void {
    for (const name of [...this.has.keys()]) {
      if (this.explicit.has(name)) continue;
      this.has.delete(name);
      this.log.forget(name);
      this.sync(name);
    }
  }

  private planWildcard(source: TypeSource, plan: PlanBuilder, force: ReadonlySet<string>, requested: ReadonlySet<string>): void {
    const desired = new Set(source.wildcardNames());
    for (const name of this.explicit) desired.add(name);
    for (const name of desired) this.consider(plan, name, source.resource(name), force.has(name), requested.has(name));
    for (const name of this.has.keys()) if (!desired.has(name)) plan.removed.add(name);
  }

  /**
   * Sends a resource whose version differs from the client's (or when forced); a missing one is
   * removed when the client holds it or has just asked for it (a quick "does not exist").
   */
  private consider(plan: PlanBuilder, name: string, resource: EncodedResource | null, force: boolean, justRequested: boolean): void {
    if (resource !== null) {
      if (force || this.has.get(name) !== resource.version) plan.resources.set(name, resource);
      return;
    }
    if (this.has.has(name) || justRequested) plan.removed.add(name);
  }

  private setWildcard(on: boolean): void {
    if (this.wildcardOn === on) return;
    this.wildcardOn = on;
    this.sink.wildcard(on);
  }

  private sync(name: string): void {
    const want = this.explicit.has(name) || this.has.has(name);
    if (want === this.watched.has(name)) return;
    if (want) {
      this.watched.add(name);
      this.sink.watch(name);
    } else {
      this.watched.delete(name);
      this.sink.unwatch(name);
    }
  }
}
