import { registryEvent, registryEventSubject, type RegistryEvent, type WatchRequest } from '@weft/api';
import type { EventFeed } from './event-feed';
import { RevisionGate } from './revision-gate';
import { readServiceState, serviceNames, type SnapshotSource } from './snapshot-reader';
import { snapshotEvent, watchEventOf, type WatchEvent } from './watch-event';

/** What a session counts (WatchMetrics in production). */
export interface WatchStats {
  /** Events were missed on a service the watcher held: a fresh snapshot was sent. */
  resync(): void;
  /** A duplicate or stale event (revision at or below the one held) was dropped. */
  stale(): void;
  /** A payload on the subject was not a valid registry event of the watched scope. */
  invalid(): void;
}

export interface SessionDeps {
  readonly feed: EventFeed;
  readonly source: SnapshotSource;
  readonly subjectPrefix: string;
  readonly stats: WatchStats;
}

/** Queue item after a reconnect: compare every service with the store. */
const RECHECK = 'recheck';
type Work = RegistryEvent | typeof RECHECK;

/**
 * One watch: subscribe first, buffer, snapshot, then deliver buffered and live events in revision
 * order per service — dropping duplicates and stale events, and answering a gap with a fresh
 * snapshot of that service. Work is handled one item at a time, so a resync's snapshot is emitted
 * before any later event of the stream.
 */
export class WatchSession {
  private readonly gate = new RevisionGate();
  private readonly queue: Work[] = [];
  private endFeed: (() => void) | null = null;
  private ready = false;
  private pumping = false;
  private ended = false;
  private startError: Error | null = null;

  constructor(
    private readonly req: WatchRequest,
    private readonly deps: SessionDeps,
    private readonly sink: (e: WatchEvent) => void,
    private readonly onEnd: (err: Error) => void,
  ) {}

  /** Resolves once the initial snapshots were emitted; rejects (and ends) when they cannot be read. */
  async start(): Promise<void> {
    const subject = registryEventSubject(this.req.namespace, this.req.service ?? '*', this.deps.subjectPrefix);
    this.endFeed = await this.deps.feed.open(subject, {
      event: (payload) => this.onPayload(payload),
      reconnected: () => this.enqueue(RECHECK),
      closed: (err) => this.fail(err ?? new Error('event feed closed')),
    });
    try {
      await this.initialSnapshots();
    } catch (err) {
      this.close();
      throw err;
    }
    if (this.startError !== null) throw this.startError;
    this.ready = true;
    void this.pump();
  }

  /** Ends the watch on the consumer's request (no onEnd call). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.endFeed?.();
  }

  private fail(err: Error): void {
    if (this.ended) return;
    this.close();
    if (this.ready) this.onEnd(err);
    else this.startError = err;
  }

  private async initialSnapshots(): Promise<void> {
    const { namespace, service, sinceRevision } = this.req;
    const names = service !== null ? [service] : await serviceNames(this.deps.source, namespace);
    const states = await Promise.all(names.map((name) => readServiceState(this.deps.source, namespace, name)));
    for (const state of states) {
      if (this.ended) return;
      this.gate.hold(state.service, state.revision);
      if (sinceRevision > 0 && sinceRevision === state.revision) continue;
      this.sink(snapshotEvent(state, 'initial'));
    }
  }

  private onPayload(payload: unknown): void {
    const parsed = registryEvent.safeParse(payload);
    if (parsed.success && this.inScope(parsed.data)) this.enqueue(parsed.data);
    else this.deps.stats.invalid();
  }

  private inScope(e: RegistryEvent): boolean {
    return e.namespace === this.req.namespace && (this.req.service === null || e.service === this.req.service);
  }

  private enqueue(work: Work): void {
    if (this.ended) return;
    this.queue.push(work);
    if (this.ready) void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.ended && this.queue.length > 0) await this.handle(this.queue.shift() as Work);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.pumping = false;
    }
  }

  private async handle(work: Work): Promise<void> {
    if (work === RECHECK) return this.recheck();
    const decision = this.gate.decide(work.service, work.revision);
    if (decision === 'drop') {
      this.deps.stats.stale();
    } else if (decision === 'deliver') {
      this.gate.hold(work.service, work.revision);
      this.sink(watchEventOf(work));
    } else {
      await this.refresh(work.service, false);
    }
  }

  /** After a reconnect: every service held (and, for a namespace, every service now) whose revision moved. */
  private async recheck(): Promise<void> {
    const names = new Set(this.gate.services());
    if (this.req.service === null) for (const n of await serviceNames(this.deps.source, this.req.namespace)) names.add(n);
    for (const name of names) await this.refresh(name, true);
  }

  /** Sends the service's state as a snapshot (`onlyIfMoved`: unless the watcher holds that revision). */
  private async refresh(service: string, onlyIfMoved: boolean): Promise<void> {
    const state = await readServiceState(this.deps.source, this.req.namespace, service);
    const known = this.gate.knows(service);
    if (this.ended || (onlyIfMoved && known && state.revision === this.gate.lastOf(service))) return;
    if (known) this.deps.stats.resync();
    this.gate.hold(service, state.revision);
    this.sink(snapshotEvent(state, known ? 'resync' : 'discovered'));
  }
}
