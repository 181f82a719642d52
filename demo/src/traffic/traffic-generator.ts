import { TrafficTally, type Outcome } from './traffic-tally';

export interface TrafficOptions {
  readonly target: string;
  readonly rps: number;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  readonly reportSeconds: number;
  /** Where the summary lines go (one per report). */
  readonly write: (line: string) => void;
}

interface PageBody {
  versions?: { reviews?: unknown };
}

/** The outcome of one finished fetch: which reviews version served the page, or why there is no page. */
export async function classify(res: Response, ms: number): Promise<Outcome> {
  if (res.status !== 200) {
    await res.body?.cancel();
    const code = (res.headers.get('x-weft-error') ?? '').split(':')[0];
    return { ok: false, reason: code === '' ? String(res.status) : `${res.status} ${code}`, ms };
  }
  try {
    const body = (await res.json()) as PageBody;
    const reviews = body.versions?.reviews;
    return { ok: true, reviews: typeof reviews === 'string' ? reviews : 'unavailable', ms };
  } catch {
    return { ok: false, reason: 'not JSON', ms };
  }
}

function failureReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/**
 * Sends GET `target` at a steady `rps` (one request per tick, never more; a tick is skipped while
 * `maxInFlight` requests are outstanding) and writes a one-line summary every `reportSeconds`.
 */
export class TrafficGenerator {
  readonly tally = new TrafficTally();
  private inFlight = new Set<Promise<void>>();
  private ticker: NodeJS.Timeout | null = null;
  private reporter: NodeJS.Timeout | null = null;
  private lastReport = 0;

  constructor(private readonly options: TrafficOptions) {}

  start(): void {
    this.lastReport = Date.now();
    this.ticker = setInterval(() => this.tick(), 1000 / this.options.rps);
    this.reporter = setInterval(() => this.report(), this.options.reportSeconds * 1000);
  }

  /** Stops sending, waits for the requests in flight (each bounded by its timeout), writes a last summary. */
  async stop(): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    if (this.reporter !== null) clearInterval(this.reporter);
    this.ticker = null;
    this.reporter = null;
    await Promise.all(this.inFlight);
    this.report();
  }

  private tick(): void {
    if (this.inFlight.size >= this.options.maxInFlight) return this.tally.skip();
    const sent = this.send().finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private async send(): Promise<void> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      const res = await fetch(this.options.target, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      outcome = await classify(res, performance.now() - started);
    } catch (err) {
      outcome = { ok: false, reason: failureReason(err), ms: performance.now() - started };
    }
    this.tally.record(outcome);
  }

  private report(): void {
    const now = Date.now();
    const seconds = Math.round((now - this.lastReport) / 100) / 10;
    this.lastReport = now;
    this.options.write(this.tally.report(seconds));
  }
}
