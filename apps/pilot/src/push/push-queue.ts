import { PushRequest } from './push-request';

/** A stream the queue pushes to. */
export interface PushTarget {
  /**
   * Sends what `request` changes for this stream, in push order. Returns true when at least one
   * response went out: the target is then in flight until it calls `PushQueue.settled` (every
   * response ACKed or NACKed) or the ACK timeout passes.
   */
  push(request: PushRequest): boolean;
}

export interface PushQueueOptions {
  /** Streams pushed per event-loop turn before yielding (keeps the server responsive during a fan-out). */
  readonly batch: number;
  /** A stream whose push is not ACKed within this long takes its next push anyway. */
  readonly ackTimeoutMs: number;
}

export const DEFAULT_PUSH_QUEUE: PushQueueOptions = Object.freeze({ batch: 64, ackTimeoutMs: 5000 });

interface InFlight {
  next: PushRequest | null;
  readonly timer: NodeJS.Timeout;
}

/**
 * Per-connection push queue (istio `pilot/pkg/xds/pushqueue.go`): a stream has at most one pending
 * push. Pushing to a stream that is waiting in the queue merges into its pending request; pushing to a
 * stream whose previous push is still unacknowledged merges into the request it gets once that push is
 * settled. Streams are served in FIFO order, `batch` per turn.
 */
export class PushQueue<T extends PushTarget> {
  private readonly options: PushQueueOptions;
  private readonly onError: (target: T, err: unknown) => void;
  private readonly waiting: Map<T, PushRequest>;
  private readonly inFlight: Map<T, InFlight>;
  private drainScheduled: NodeJS.Immediate | null;

  constructor(options: PushQueueOptions, onError: (target: T, err: unknown) => void) {
    this.options = options;
    this.onError = onError;
    this.waiting = new Map();
    this.inFlight = new Map();
    this.drainScheduled = null;
  }

  /** Takes ownership of `request` (it may be merged into later). */
  enqueue(target: T, request: PushRequest): void {
    const busy = this.inFlight.get(target);
    if (busy !== undefined) {
      if (busy.next === null) busy.next = request;
      else busy.next.merge(request);
      return;
    }
    const queued = this.waiting.get(target);
    if (queued !== undefined) {
      queued.merge(request);
      return;
    }
    this.waiting.set(target, request);
    this.scheduleDrain();
  }

  /** The target's outstanding responses are all answered: its merged next push (if any) is queued. */
  settled(target: T): void {
    const busy = this.inFlight.get(target);
    if (busy === undefined) return;
    clearTimeout(busy.timer);
    this.inFlight.delete(target);
    if (busy.next !== null) this.enqueue(target, busy.next);
  }

  remove(target: T): void {
    this.waiting.delete(target);
    const busy = this.inFlight.get(target);
    if (busy !== undefined) clearTimeout(busy.timer);
    this.inFlight.delete(target);
  }

  isInFlight(target: T): boolean {
    return this.inFlight.has(target);
  }

  /** Streams waiting for their turn (not counting the in-flight ones). */
  waitingCount(): number {
    return this.waiting.size;
  }

  close(): void {
    for (const busy of this.inFlight.values()) clearTimeout(busy.timer);
    this.inFlight.clear();
    this.waiting.clear();
    if (this.drainScheduled !== null) clearImmediate(this.drainScheduled);
    this.drainScheduled = null;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled !== null) return;
    this.drainScheduled = setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = null;
    let served = 0;
    for (const [target, request] of this.waiting) {
      if (served === this.options.batch) break;
      served += 1;
      this.waiting.delete(target);
      this.dispatch(target, request);
    }
    if (this.waiting.size > 0) this.scheduleDrain();
  }

  private dispatch(target: T, request: PushRequest): void {
    let sent = false;
    try {
      sent = target.push(request);
    } catch (err) {
      this.onError(target, err);
    }
    if (!sent) return;
    const timer = setTimeout(() => this.settled(target), this.options.ackTimeoutMs);
    timer.unref();
    this.inFlight.set(target, { next: null, timer });
  }
}
