/**
 * Rate-limits status reports of one stream: the first change after a quiet interval is reported at
 * once, later ones at most every `intervalMs`, and the last one always (trailing), so thousands of
 * proxies ACKing a push do not flood the status store.
 */
export class StatusThrottle {
  private readonly intervalMs: number;
  private readonly emit: () => void;
  private last: number;
  private timer: NodeJS.Timeout | null;

  constructor(intervalMs: number, emit: () => void) {
    this.intervalMs = intervalMs;
    this.emit = emit;
    this.last = Number.NEGATIVE_INFINITY;
    this.timer = null;
  }

  mark(): void {
    if (this.timer !== null) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, wait);
    this.timer.unref();
  }

  /** Drops a pending trailing report. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.last = Date.now();
    this.emit();
  }
}
