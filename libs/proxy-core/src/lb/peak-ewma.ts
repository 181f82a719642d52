/** Linkerd's defaults: estimates decay with a 10 s time constant; a host with no sample yet is assumed at 30 ms. */
export const DEFAULT_EWMA_DECAY_MS = 10_000;
export const DEFAULT_EWMA_RTT_MS = 30;

/**
 * Peak-sensitive exponentially weighted moving average of a host's round-trip time (Finagle's and
 * Linkerd's PeakEwma): a sample above the estimate replaces it at once (react to a slowdown
 * immediately); a lower sample pulls the estimate toward it by `1 - e^(-Δt/τ)`, Δt being the time
 * since the previous update (irregularly spaced samples weigh by elapsed time, not by count).
 * Asking for the cost also decays the estimate toward zero, as an observation of RTT 0 (Finagle's
 * `load`, tower's `decay`): an idle host that was slow is retried as its bad sample ages.
 *
 * The owner records `observe(rtt, now)` when a response (or failure) completes; balancers read
 * `cost(now, activeRequests)`. Times are milliseconds from one monotonic clock.
 */
export class PeakEwma {
  private readonly decayMs: number;
  private estimateMs: number;
  private stampMs: number;

  constructor(nowMs: number, decayMs = DEFAULT_EWMA_DECAY_MS, initialRttMs = DEFAULT_EWMA_RTT_MS) {
    this.decayMs = decayMs > 0 ? decayMs : DEFAULT_EWMA_DECAY_MS;
    this.estimateMs = initialRttMs;
    this.stampMs = nowMs;
  }

  /** The current RTT estimate in ms (without decaying it). */
  get estimate(): number {
    return this.estimateMs;
  }

  /** Records a round-trip time observed at `nowMs`. */
  observe(rttMs: number, nowMs: number): void {
    if (rttMs > this.estimateMs) {
      this.estimateMs = rttMs;
    } else {
      const elapsed = nowMs > this.stampMs ? nowMs - this.stampMs : 0;
      const keep = Math.exp(-elapsed / this.decayMs);
      this.estimateMs = this.estimateMs * keep + rttMs * (1 - keep);
    }
    if (nowMs > this.stampMs) this.stampMs = nowMs;
  }

  /** Expected cost of one more request: the (decayed) estimate × (active + 1). */
  cost(nowMs: number, active: number): number {
    this.observe(0, nowMs);
    return this.estimateMs * (active + 1);
  }
}
