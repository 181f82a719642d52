/**
 * Deadline-based waiting for tests: wait for a condition or an event, fail with a clear message when
 * the deadline passes. Never a fixed sleep as synchronisation.
 */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Re-check interval for polled conditions (default 25 ms). */
  readonly intervalMs?: number;
  /** What is being waited for, for the failure message. */
  readonly what?: string;
}

export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, last?: unknown) {
    const detail = last === undefined ? '' : `; last value: ${safeJson(last)}`;
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    this.name = 'WaitTimeoutError';
  }
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.slice(0, 500);
  } catch {
    return String(v);
  }
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`/`null`; resolves with that
 * value. Errors thrown by `check` count as "not yet" and the last one is reported on timeout.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.what ?? 'condition', timeoutMs, last);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves with the first value of `promise`, or rejects when the deadline passes first. */
export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Collects items pushed by a callback-style source and lets a test wait until the collection satisfies
 * a predicate (e.g. "3 events arrived").
 */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { pred: (items: readonly T[]) => boolean; resolve: () => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(this.items)) return true;
      w.resolve();
      return false;
    });
  };

  async until(pred: (items: readonly T[]) => boolean, options: WaitOptions = {}): Promise<readonly T[]> {
    if (pred(this.items)) return this.items;
    const done = new Promise<void>((resolve) => this.waiters.push({ pred, resolve }));
    await withDeadline(done, options.timeoutMs ?? 10_000, options.what ?? 'collected items');
    return this.items;
  }

  async count(n: number, options: WaitOptions = {}): Promise<readonly T[]> {
    return this.until((items) => items.length >= n, { what: `${n} items`, ...options });
  }
}
