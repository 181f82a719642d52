import type { MeshChange } from '../model/xds-contract';
import { PushRequest } from './push-request';

export interface DebounceOptions {
  /** Flush when no change arrived for this long (istio PILOT_DEBOUNCE_AFTER, 100 ms). */
  readonly quietMs: number;
  /** Flush at the latest this long after the first change of a batch (PILOT_DEBOUNCE_MAX, 1 s). */
  readonly maxMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = Object.freeze({ quietMs: 100, maxMs: 1000 });

/**
 * Merges bursts of mesh changes into one push (istio `pilot/pkg/xds/discovery.go` debounce): a batch
 * is flushed after `quietMs` without a new change, or `maxMs` after its first change when changes keep
 * coming. Merging is a union of names per type and the minimum seenAt.
 */
export class Debouncer {
  private readonly options: DebounceOptions;
  private readonly flush: (request: PushRequest) => void;
  private pending: PushRequest | null;
  private quietTimer: NodeJS.Timeout | null;
  private maxTimer: NodeJS.Timeout | null;
  private closed: boolean;

  constructor(options: DebounceOptions, flush: (request: PushRequest) => void) {
    this.options = options;
    this.flush = flush;
    this.pending = null;
    this.quietTimer = null;
    this.maxTimer = null;
    this.closed = false;
  }

  add(change: MeshChange): void {
    if (this.closed) return;
    if (this.pending === null) {
      this.pending = new PushRequest();
      this.maxTimer = setTimeout(() => this.flushNow(), this.options.maxMs);
      this.maxTimer.unref();
    }
    this.pending.merge(change);
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flushNow(), this.options.quietMs);
    this.quietTimer.unref();
  }

  /** Flushes the pending batch now (no-op when nothing is pending). */
  flushNow(): void {
    const request = this.pending;
    this.clearTimers();
    this.pending = null;
    if (request !== null && !this.closed) this.flush(request);
  }

  hasPending(): boolean {
    return this.pending !== null;
  }

  /** Drops the pending batch and stops the timers. */
  close(): void {
    this.closed = true;
    this.clearTimers();
    this.pending = null;
  }

  private clearTimers(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    if (this.maxTimer !== null) clearTimeout(this.maxTimer);
    this.quietTimer = null;
    this.maxTimer = null;
  }
}
