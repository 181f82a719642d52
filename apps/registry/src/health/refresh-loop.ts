/**
 * Runs a task every `periodMs` (from the end of one run to the start of the next) and at once when
 * kicked; never two runs at a time — a kick during a run starts another right after it. The task
 * handles its own errors; one that escapes is passed to `onError` and the loop goes on.
 */
export class RefreshLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly periodMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs the task now and keeps the loop going; resolves when this first run is done. */
  start(): Promise<void> {
    this.stopped = false;
    return this.fire();
  }

  /** Runs the task as soon as possible (after the current run, if one is under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.arm(0);
  }

  /** Stops the loop; resolves when a run under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), delayMs);
  }

  private fire(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const run = this.task()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = null;
        const again = this.again;
        this.again = false;
        if (!this.stopped) this.arm(again ? 0 : this.periodMs);
      });
    this.running = run;
    return run;
  }
}
