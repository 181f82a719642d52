import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { pilotRulesChangedSubject, RuleValidationError, rulesChangedEvent, validateRuleObjects, type RuleDocument } from '@weft/api';
import { WeftError, type Logger } from '@weft/shared';
import type { RulesMetrics } from './rules.metrics';
import type { RulesRepository, StoredRule } from './rules.repository';

/** The rules after a change, as the model takes them (`MeshModel.replaceRules(change.documents)`). */
export interface RulesChange {
  readonly revision: number;
  /** Every rule, sorted by key. */
  readonly documents: readonly RuleDocument[];
  /** Keys added, changed or removed since the previous load; null on the first load. */
  readonly changedKeys: readonly string[] | null;
  /** `Date.now()` when the change was stored (from the event), else when this replica noticed it. */
  readonly seenAt: number;
}

export interface RulesWatcherOptions {
  readonly subjectPrefix: string;
  /** How often the stored revision is compared with the loaded one, to catch a lost event (default 5 s). */
  readonly resyncMs?: number;
}

type Loaded = { readonly digest: string; readonly doc: RuleDocument };

/**
 * Keeps one replica's rules current: every replica hears every `weft.pilot.rules.changed` and reloads
 * all rules from Redis (validated again from their raw form, reusing unchanged documents). Reloads are
 * serialised and coalesced; a periodic revision check catches events lost while NATS was away.
 */
export class RulesWatcher {
  private sub: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loaded = new Map<string, Loaded>();
  private loadedRevision: number | null = null;
  private running: Promise<void> | null = null;
  private again: number | null = null;
  private onChange: (change: RulesChange) => void = () => undefined;

  constructor(
    private readonly nats: NatsConnection,
    private readonly repo: RulesRepository,
    private readonly options: RulesWatcherOptions,
    private readonly log: Logger,
    private readonly metrics: RulesMetrics | null = null,
  ) {}

  /** The revision loaded last (null before the first load). */
  get revision(): number | null {
    return this.loadedRevision;
  }

  /** Subscribes, loads the rules once (onChange is called with them) and returns that first load. */
  async start(onChange: (change: RulesChange) => void): Promise<RulesChange> {
    this.onChange = onChange;
    this.sub = this.nats.subscribe(pilotRulesChangedSubject(this.options.subjectPrefix), {
      callback: (err, msg) => {
        if (err !== null) return;
        this.onEvent(msg.string());
      },
    });
    await this.nats.flush();
    const first = await this.load(Date.now());
    if (first === null) {
      await this.stop();
      throw new WeftError('WEFT_ERR_PILOT_RULES_LOAD', 'unavailable', 'rules could not be loaded from Redis');
    }
    this.timer = setInterval(() => void this.resync(), this.options.resyncMs ?? 5000);
    this.timer.unref();
    return first;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sub?.unsubscribe();
    this.sub = null;
    await this.running;
  }

  private onEvent(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const event = rulesChangedEvent.safeParse(parsed);
    if (!event.success) {
      this.log.warn({ issues: event.error.issues.length }, 'malformed rules change event ignored');
      return;
    }
    if (this.loadedRevision !== null && event.data.revision <= this.loadedRevision) return;
    this.reload(event.data.at ?? Date.now());
  }

  private async resync(): Promise<void> {
    try {
      if ((await this.repo.revision()) !== this.loadedRevision) this.reload(Date.now());
    } catch (err) {
      this.log.warn({ err }, 'rules revision check failed');
    }
  }

  /** Runs a load now, or once more after the running one (coalescing any number of requests). */
  private reload(seenAt: number): void {
    if (this.running !== null) {
      this.again = Math.min(this.again ?? seenAt, seenAt);
      return;
    }
    this.running = this.load(seenAt).then(() => {
      this.running = null;
      const next = this.again;
      this.again = null;
      if (next !== null) this.reload(next);
    });
  }

  private async load(seenAt: number): Promise<RulesChange | null> {
    try {
      const snap = await this.repo.all();
      if (this.loadedRevision !== null && snap.revision === this.loadedRevision) return null;
      const change = this.apply(snap.revision, snap.rules, seenAt);
      this.metrics?.reloads.inc({ outcome: 'ok' });
      try {
        this.onChange(change);
      } catch (err) {
        this.log.error({ err, revision: change.revision }, 'rules change handler failed');
      }
      return change;
    } catch (err) {
      this.metrics?.reloads.inc({ outcome: 'error' });
      this.log.warn({ err }, 'rules reload failed');
      return null;
    }
  }

  private apply(revision: number, rules: readonly StoredRule[], seenAt: number): RulesChange {
    const first = this.loadedRevision === null;
    const next = new Map<string, Loaded>();
    const changed: string[] = [];
    for (const rule of rules) {
      const prev = this.loaded.get(rule.key);
      const doc = prev?.digest === rule.digest ? prev.doc : this.revalidate(rule, prev);
      if (doc === null) continue;
      next.set(rule.key, { digest: doc === prev?.doc ? (prev?.digest ?? rule.digest) : rule.digest, doc });
      if (prev?.digest !== rule.digest) changed.push(rule.key);
    }
    for (const key of this.loaded.keys()) if (!next.has(key)) changed.push(key);
    this.loaded = next;
    this.loadedRevision = revision;
    this.metrics?.revision.set(revision);
    this.metrics?.loaded.set(next.size);
    const documents = [...next.values()].map((l) => l.doc);
    return { revision, documents, changedKeys: first ? null : changed, seenAt };
  }

  /** A stored document that no longer validates keeps its last good version (or is left out). */
  private revalidate(rule: StoredRule, prev: Loaded | undefined): RuleDocument | null {
    try {
      const [doc] = validateRuleObjects([rule.raw], `stored ${rule.key}`);
      return doc ?? null;
    } catch (err) {
      if (!(err instanceof RuleValidationError)) throw err;
      this.metrics?.invalidStored.inc();
      this.log.error({ key: rule.key, issues: err.issues }, 'stored rule no longer valid; last good version kept');
      return prev?.doc ?? null;
    }
  }
}
