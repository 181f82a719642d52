import { performance } from 'node:perf_hooks';
import type { ProbeResult } from './probers';
import type { ProbeTarget } from './probe-target';
import { ThresholdCounter, type ProbeVerdict, type StoredProbe } from './threshold-counter';

/** What a target prober needs from the health checker; none of these functions may throw. */
export interface TargetProberDeps {
  /** Runs one probe (under the checker's concurrency bound); null when cancelled before it ran. */
  readonly run: (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult | null>;
  /** Stores a verdict; true when it was stored (or already was), false when it should be retried. */
  readonly record: (target: ProbeTarget, verdict: ProbeVerdict, reason: string) => Promise<boolean>;
  /** In [0, 1): the phase of the first probe within the interval. */
  readonly random: () => number;
  readonly onError: (err: unknown, target: ProbeTarget) => void;
}

/**
 * Probes one owned target every `intervalSeconds`, the first time at a random phase within the
 * interval (as Consul staggers checks) so a replica's probes spread instead of firing together. Counts
 * consecutive results and stores a verdict when a threshold is crossed. `stop()` cancels at once: the
 * timer is cleared, a probe in flight is aborted and its result discarded.
 */
export class TargetProber {
  private target: ProbeTarget;
  private stored: StoredProbe;
  private readonly counter: ThresholdCounter;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private cycle: Promise<void> | null = null;
  private dueAt = 0;
  private stopped = false;

  constructor(
    target: ProbeTarget,
    private readonly deps: TargetProberDeps,
  ) {
    this.target = target;
    this.stored = target.instance.probe;
    this.counter = new ThresholdCounter(target.check.healthyThreshold, target.check.unhealthyThreshold);
    this.intervalMs = Math.max(1, Math.round(target.check.intervalSeconds * 1000));
  }

  get fingerprint(): string {
    return this.target.fingerprint;
  }

  start(): void {
    this.schedule(performance.now() + this.deps.random() * this.intervalMs);
  }

  /** The same target read again (same fingerprint): takes its latest stored probe state. */
  update(target: ProbeTarget): void {
    this.target = target;
    this.stored = target.instance.probe;
  }

  /** Stops probing; resolves once a cycle under way (probe or verdict write) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    return this.cycle ?? Promise.resolve();
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.dueAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()));
  }

  private fire(): void {
    this.timer = null;
    this.cycle = this.probeOnce()
      .catch((err: unknown) => this.deps.onError(err, this.target))
      .finally(() => {
        this.cycle = null;
        // Fixed rate from the due time; a probe that waited for a slot does not build up a backlog.
        this.schedule(Math.max(performance.now(), this.dueAt + this.intervalMs));
      });
  }

  private async probeOnce(): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    const result = await this.deps.run(this.target, controller.signal);
    this.inFlight = null;
    if (this.stopped || result === null) return;
    const verdict = this.counter.observe(result.ok, this.stored);
    if (verdict === null) return;
    if (await this.deps.record(this.target, verdict, result.reason)) this.stored = verdict;
  }
}
