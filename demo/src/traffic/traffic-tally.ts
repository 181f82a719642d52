/** How one request of the traffic generator ended. */
export type Outcome =
  /** A page came back; `reviews` is the version that served its reviews, or `unavailable`. */
  | { readonly ok: true; readonly reviews: string; readonly ms: number }
  /** No page: `reason` is the status (and the proxy's error code), `timeout`, or the socket error. */
  | { readonly ok: false; readonly reason: string; readonly ms: number };

class Counts {
  requests = 0;
  readonly byReviews = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly latencies: number[] = [];
  skipped = 0;

  add(outcome: Outcome): void {
    this.requests += 1;
    this.latencies.push(outcome.ms);
    const map = outcome.ok ? this.byReviews : this.errors;
    const key = outcome.ok ? outcome.reviews : outcome.reason;
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const count of this.errors.values()) n += count;
    return n;
  }
}

/** v1, v2, …, v10 in numeric order; other labels (`unavailable`) after them. */
function byVersion(a: string, b: string): number {
  const na = /^v(\d+)$/.exec(a);
  const nb = /^v(\d+)$/.exec(b);
  if (na !== null && nb !== null) return Number(na[1]) - Number(nb[1]);
  if (na !== null || nb !== null) return na !== null ? -1 : 1;
  return a.localeCompare(b);
}

/** Nearest-rank percentile of `sorted` (ascending), 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function errorsText(counts: Counts): string {
  const total = counts.errorCount;
  if (total === 0) return 'errors 0';
  const parts = [...counts.errors.entries()].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ×${n}`);
  return `errors ${total} (${parts.join(', ')})`;
}

/**
 * Counts the traffic generator's outcomes: per reporting window (reset by each `report()`) and since
 * the start. `report()` returns the one-line summary the generator prints.
 */
export class TrafficTally {
  private window = new Counts();
  private readonly total = new Counts();

  record(outcome: Outcome): void {
    this.window.add(outcome);
    this.total.add(outcome);
  }

  /** A tick that sent nothing because too many requests were still outstanding. */
  skip(): void {
    this.window.skipped += 1;
    this.total.skipped += 1;
  }

  get totals(): { readonly requests: number; readonly errors: number; readonly byReviews: ReadonlyMap<string, number> } {
    return { requests: this.total.requests, errors: this.total.errorCount, byReviews: this.total.byReviews };
  }

  /** `last 5s: 25 req · reviews v1 13 v2 7 v3 5 · errors 0 · p50 3 ms p99 9 ms | total 250 · reviews v1 50% v2 30% v3 20% · errors 0` */
  report(seconds: number): string {
    const w = this.window;
    const versions = [...this.total.byReviews.keys()].sort(byVersion);
    const sorted = [...w.latencies].sort((a, b) => a - b);
    const now = versions.map((v) => `${v} ${w.byReviews.get(v) ?? 0}`).join(' ');
    const pages = this.total.requests - this.total.errorCount;
    const share = versions.map((v) => `${v} ${Math.round((100 * (this.total.byReviews.get(v) ?? 0)) / Math.max(1, pages))}%`).join(' ');
    const skipped = w.skipped > 0 ? ` · skipped ${w.skipped} (max in flight)` : '';
    const line =
      `last ${seconds}s: ${w.requests} req · reviews ${now === '' ? '-' : now} · ${errorsText(w)}` +
      ` · p50 ${Math.round(percentile(sorted, 50))} ms p99 ${Math.round(percentile(sorted, 99))} ms${skipped}` +
      ` | total ${this.total.requests} · reviews ${share === '' ? '-' : share} · errors ${this.total.errorCount}`;
    this.window = new Counts();
    return line;
  }
}
