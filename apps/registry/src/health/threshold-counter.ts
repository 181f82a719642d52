import type { Instance } from '@weft/api';

export type ProbeVerdict = 'passing' | 'failing';
export type StoredProbe = Instance['probe'];

/**
 * Consecutive-result thresholds of one health-checked instance (Envoy's healthy/unhealthy
 * thresholds, Consul's success_before_passing/failures_before_critical): a verdict is due when
 * `healthyThreshold` probes in a row passed, or `unhealthyThreshold` in a row failed — and only when
 * it differs from the state already stored, so a steady instance costs no Redis write.
 */
export class ThresholdCounter {
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly healthyThreshold: number,
    private readonly unhealthyThreshold: number,
  ) {}

  /** Counts one probe result; returns the verdict to record, or null when nothing is due. */
  observe(ok: boolean, stored: StoredProbe): ProbeVerdict | null {
    if (ok) {
      this.failures = 0;
      this.successes = Math.min(this.successes + 1, this.healthyThreshold);
      return this.successes >= this.healthyThreshold && stored !== 'passing' ? 'passing' : null;
    }
    this.successes = 0;
    this.failures = Math.min(this.failures + 1, this.unhealthyThreshold);
    return this.failures >= this.unhealthyThreshold && stored !== 'failing' ? 'failing' : null;
  }
}
