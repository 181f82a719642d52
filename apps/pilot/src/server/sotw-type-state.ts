import { createHash } from 'node:crypto';
import type { EncodedResource } from '@weft/xds';
import type { SyncState, TypeSyncStatus } from '../model/xds-contract';
import { WILDCARD } from '../delta/delta-type-state';
import type { AnswerOutcome, TypeSource, WatchSink } from '../delta/type-source';

/** The parts of a DiscoveryRequest the state reads. */
export interface SotwRequest {
  readonly names: readonly string[];
  readonly nonce: string;
  /** error_detail.message when the request is a NACK. */
  readonly error: string | null;
}

export interface SotwRequestOutcome {
  readonly answer: AnswerOutcome;
  /** Names the client asks for that it did not ask for before (the server must send them). */
  readonly added: ReadonlySet<string>;
  readonly wildcardAdded: boolean;
}

/** One SotW response for one type: `holdings` is what the client holds once it is applied. */
export interface SotwPlan {
  readonly versionInfo: string;
  readonly resources: readonly EncodedResource[];
  readonly holdings: ReadonlyMap<string, string>;
  /** False when nothing the client sees changed: holdings are adopted without a response. */
  readonly send: boolean;
}

const NO_ANSWER: AnswerOutcome = Object.freeze({ kind: 'unknown', seenAt: null });

/** version_info: a hash of the (name, version) set the client holds for the type. */
export function holdingsVersion(holdings: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const name of [...holdings.keys()].sort()) hash.update(`${name}\0${holdings.get(name) ?? ''}\n`);
  return hash.digest('base64url').slice(0, 16);
}

/**
 * State-of-the-World xDS state of one type on one stream: requested names (or the LDS/CDS wildcard),
 * what the client holds after our latest response, the latest nonce (requests carrying an older one
 * are stale and ignored) and ACK/NACK. LDS/CDS responses carry every subscribed resource (absence is
 * deletion); other types carry only the requested resources that changed.
 */
export class SotwTypeState {
  readonly allRequired: boolean;
  readonly names: Set<string>;
  private readonly sink: WatchSink;
  private readonly watched: Set<string>;
  private holdings: ReadonlyMap<string, string>;
  private acked: ReadonlyMap<string, string>;
  private started: boolean;
  private everNamed: boolean;
  private wildcardOn: boolean;
  private versionInfo: string | null;
  private nonce: string | null;
  private unacked: boolean;
  private unackedSeenAt: number | null;
  private nackError: string | null;
  nacks: number;
  lastSentAt: number | null;
  lastAckAt: number | null;

  constructor(allRequired: boolean, sink: WatchSink) {
    this.allRequired = allRequired;
    this.names = new Set();
    this.sink = sink;
    this.watched = new Set();
    this.holdings = new Map();
    this.acked = new Map();
    this.started = false;
    this.everNamed = false;
    this.wildcardOn = false;
    this.versionInfo = null;
    this.nonce = null;
    this.unacked = false;
    this.unackedSeenAt = null;
    this.nackError = null;
    this.nacks = 0;
    this.lastSentAt = null;
    this.lastAckAt = null;
  }

  /** Applies a request; null when its nonce is stale (a newer response is on its way to the client). */
  request(request: SotwRequest, now: number): SotwRequestOutcome | null {
    const first = !this.started;
    this.started = true;
    if (!first && request.nonce !== '' && request.nonce !== this.nonce) return null;
    let answer = NO_ANSWER;
    if (this.unacked && request.nonce === this.nonce) answer = this.answer(request.error, now);
    const wasWildcard = this.wildcardOn;
    const added = this.setNames(request.names);
    return { answer, added, wildcardAdded: this.wildcardOn && !wasWildcard };
  }

  /**
   * What to send after a request or a mesh change. `changed` names (undefined: none) are re-read;
   * `full` re-reads everything subscribed (LDS/CDS always are).
   */
  plan(source: TypeSource, changed: ReadonlySet<string> | undefined, full: boolean, added: ReadonlySet<string>): SotwPlan {
    if (this.allRequired) return this.planAll(source, added);
    const before = this.holdings;
    const holdings = full ? new Map<string, string>() : new Map(before);
    const resources: EncodedResource[] = [];
    const names = full ? this.desired(source) : [...added, ...(changed ?? [])].filter((n) => this.wants(n));
    for (const name of new Set(names)) {
      const resource = source.resource(name);
      if (resource === null) {
        holdings.delete(name);
        continue;
      }
      if (added.has(name) || before.get(name) !== resource.version) resources.push(resource);
      holdings.set(name, resource.version);
    }
    resources.sort(byName);
    return { versionInfo: holdingsVersion(holdings), resources, holdings, send: resources.length > 0 };
  }

  sent(nonce: string, plan: SotwPlan, seenAt: number | null, now: number): void {
    this.adopt(plan);
    this.nonce = nonce;
    this.unacked = true;
    if (seenAt !== null && (this.unackedSeenAt === null || seenAt < this.unackedSeenAt)) this.unackedSeenAt = seenAt;
    this.lastSentAt = now;
  }

  /** The client's view changed without a response (e.g. it dropped names itself). */
  adopt(plan: SotwPlan): void {
    const before = this.holdings;
    this.holdings = plan.holdings;
    this.versionInfo = plan.versionInfo;
    for (const name of before.keys()) this.sync(name);
    for (const name of plan.holdings.keys()) this.sync(name);
  }

  unanswered(): number {
    return this.unacked ? 1 : 0;
  }

  get wildcard(): boolean {
    return this.wildcardOn;
  }

  release(): void {
    for (const name of this.watched) this.sink.unwatch(name);
    this.watched.clear();
    if (this.wildcardOn) this.sink.wildcard(false);
    this.wildcardOn = false;
  }

  status(): TypeSyncStatus {
    const names = [...this.names].sort();
    return {
      subscribed: this.wildcardOn ? [WILDCARD, ...names] : names,
      acked: Object.fromEntries(this.acked),
      state: this.syncState(),
      error: this.nackError,
      lastSentAt: this.lastSentAt,
      lastAckAt: this.lastAckAt,
    };
  }

  private syncState(): SyncState {
    if (this.versionInfo === null) return 'NOT_SENT';
    if (this.nackError !== null) return 'NACK';
    return this.unacked ? 'STALE' : 'SYNCED';
  }

  private answer(error: string | null, now: number): AnswerOutcome {
    const seenAt = this.unackedSeenAt;
    this.unacked = false;
    this.unackedSeenAt = null;
    if (error !== null) {
      this.nacks += 1;
      this.nackError = error;
      return { kind: 'nack', seenAt };
    }
    this.nackError = null;
    this.acked = this.holdings;
    this.lastAckAt = now;
    return { kind: 'ack', seenAt };
  }

  /** Legacy wildcard (LDS/CDS): empty names while the stream never named anything; `*` otherwise. */
  private setNames(requested: readonly string[]): Set<string> {
    const next = new Set(requested.filter((n) => n !== WILDCARD));
    if (requested.length > 0) this.everNamed = true;
    const wildcard = requested.includes(WILDCARD) || (this.allRequired && !this.everNamed);
    const wasWildcard = this.wildcardOn;
    const added = new Set<string>();
    for (const name of next) if (!this.names.has(name)) added.add(name);
    const dropped = [...this.names].filter((n) => !next.has(n));
    this.names.clear();
    for (const name of next) this.names.add(name);
    if (wildcard !== this.wildcardOn) {
      this.wildcardOn = wildcard;
      this.sink.wildcard(wildcard);
    }
    for (const name of added) this.sync(name);
    if (dropped.length > 0 || (wasWildcard && !wildcard)) this.forgetUnwanted(dropped);
    return added;
  }

  /** Names the client no longer asks for leave its holdings silently (it dropped them itself). */
  private forgetUnwanted(dropped: readonly string[]): void {
    const holdings = new Map(this.holdings);
    for (const name of holdings.keys()) if (!this.wants(name)) holdings.delete(name);
    if (holdings.size !== this.holdings.size) this.adopt({ versionInfo: holdingsVersion(holdings), resources: [], holdings, send: false });
    for (const name of dropped) this.sync(name);
  }

  private planAll(source: TypeSource, added: ReadonlySet<string>): SotwPlan {
    const resources: EncodedResource[] = [];
    for (const name of this.desired(source)) {
      const resource = source.resource(name);
      if (resource !== null) resources.push(resource);
    }
    resources.sort(byName);
    const holdings = new Map(resources.map((r) => [r.name, r.version] as const));
    const versionInfo = holdingsVersion(holdings);
    const send = this.versionInfo === null || versionInfo !== this.versionInfo || resources.some((r) => added.has(r.name));
    return { versionInfo, resources, holdings, send };
  }

  private desired(source: TypeSource): string[] {
    if (!this.wildcardOn) return [...this.names];
    const names = new Set(source.wildcardNames());
    for (const name of this.names) names.add(name);
    return [...names];
  }

  /** Explicitly requested, or held through the wildcard. */
  private wants(name: string): boolean {
    return this.names.has(name) || (this.wildcardOn && this.holdings.has(name));
  }

  private sync(name: string): void {
    const want = this.names.has(name) || this.holdings.has(name);
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

function byName(a: EncodedResource, b: EncodedResource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
