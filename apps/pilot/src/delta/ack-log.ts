import type { SyncState } from '../model/xds-contract';
import type { AnswerOutcome, DeltaPlan } from './type-source';

interface SentRecord {
  readonly resources: readonly (readonly [string, string])[];
  readonly removed: readonly string[];
  readonly seenAt: number | null;
}

/** Unanswered responses kept per type; a client that never answers cannot grow this without bound. */
const MAX_PENDING = 64;
/** Key used when a NACKed response carried no resource (only removals). */
const WHOLE_RESPONSE = '';

/**
 * The ACK side of one delta type on one stream: the responses sent and not yet answered (by nonce),
 * what the client confirmed (name → version), and which names the client rejected (name → message).
 * A NACK changes nothing the server believes it sent, so the same version is never resent in a loop;
 * the client keeps its last good copy, shown here as the last ACKed version.
 */
export class AckLog {
  readonly acked: Map<string, string>;
  private readonly pending: Map<string, SentRecord>;
  private readonly nacked: Map<string, string>;
  private lastError: string | null;
  nacks: number;
  lastSentAt: number | null;
  lastAckAt: number | null;

  constructor() {
    this.acked = new Map();
    this.pending = new Map();
    this.nacked = new Map();
    this.lastError = null;
    this.nacks = 0;
    this.lastSentAt = null;
    this.lastAckAt = null;
  }

  sent(nonce: string, plan: DeltaPlan, seenAt: number | null, now: number): void {
    const resources = plan.resources.map((r) => [r.name, r.version] as const);
    this.pending.set(nonce, { resources, removed: plan.removed, seenAt });
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    this.lastSentAt = now;
  }

  answer(nonce: string, error: string | null, now: number): AnswerOutcome {
    const record = this.pending.get(nonce);
    if (record === undefined) return { kind: 'unknown', seenAt: null };
    this.pending.delete(nonce);
    if (error !== null) {
      this.nacks += 1;
      this.lastError = error;
      if (record.resources.length === 0) this.nacked.set(WHOLE_RESPONSE, error);
      for (const [name] of record.resources) this.nacked.set(name, error);
      return { kind: 'nack', seenAt: record.seenAt };
    }
    this.nacked.delete(WHOLE_RESPONSE);
    for (const [name, version] of record.resources) {
      this.acked.set(name, version);
      this.nacked.delete(name);
    }
    for (const name of record.removed) {
      this.acked.delete(name);
      this.nacked.delete(name);
    }
    this.lastAckAt = now;
    return { kind: 'ack', seenAt: record.seenAt };
  }

  /** The client holds `name` at `version` without us sending it (initial_resource_versions). */
  assumeAcked(name: string, version: string): void {
    this.acked.set(name, version);
  }

  /** The client dropped `name` (unsubscribed): forget what it confirmed or rejected. */
  forget(name: string): void {
    this.acked.delete(name);
    this.nacked.delete(name);
  }

  unanswered(): number {
    return this.pending.size;
  }

  state(): SyncState {
    if (this.lastSentAt === null && this.acked.size === 0) return 'NOT_SENT';
    if (this.nacked.size > 0) return 'NACK';
    if (this.pending.size > 0) return 'STALE';
    return 'SYNCED';
  }

  error(): string | null {
    return this.nacked.size > 0 ? this.lastError : null;
  }
}
