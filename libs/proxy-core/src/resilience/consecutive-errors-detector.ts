import type { OutlierDetectionModel } from '../model/config-model';

/**
 * Envoy's consecutive-errors outlier detection (consecutive_5xx, consecutive_gateway_failure) in
 * the default, non-split mode (`split_external_local_origin_errors: false`), following
 * `source/common/upstream/outlier_detection_impl.cc` and the arch overview "Ejection algorithm":
 *
 * - Results, as the router reports them:
 *   `success`       any non-5xx response: both counters reset.
 *   `5xx`           a 5xx that is not 502/503/504: the 5xx counter grows, the gateway counter resets.
 *   `gateway`       502, 503 or 504: both counters grow.
 *   `local-failure` connect failure, reset or per-try timeout: Envoy maps these to 503/504, so both
 *                   counters grow, exactly like `gateway`.
 * - A counter fires when it reaches its threshold exactly (Envoy `++n == threshold`); firing resets
 *   that counter whether or not the host is ejected. A host already ejected ignores the firing; its
 *   counters are reset when it returns. A null threshold disables that detector.
 * - Ejection is allowed only when `100 × (ejected + 1) / hosts ≤ maxEjectionPercent` (Envoy ≥ 1.31).
 *   So with the default 10 %, a cluster of fewer than 10 hosts ejects nothing, unless
 *   `alwaysEjectOneHost` (Envoy's `always_eject_one_host`, default false) lets one host go when none
 *   is ejected. A refused ejection counts in `stats.ejectionsOverflow`.
 * - Then it is enforced with probability enforcing…/100 (Envoy's defaults are 100 for 5xx and
 *   0 for gateway failures; the model carries the resolved values).
 * - Each enforced ejection raises the host's multiplier (while multiplier × base < max + base); the
 *   host stays out for min(base × multiplier, max). `tick(now)`, run every `intervalMs`, returns hosts
 *   whose time is up and lowers the multiplier by one for hosts back in service for at least an
 *   interval. The multiplier therefore grows with repeated ejections and decays while healthy.
 * Not implemented: success-rate and failure-percentage detection, split local-origin mode, ejection
 * jitter, un-ejection by active health checks.
 */
export type OutlierResult = 'success' | '5xx' | 'gateway' | 'local-failure';

export type EjectionReason = 'consecutive_5xx' | 'consecutive_gateway_failure';

/** Called synchronously from `onResult` / `tick`; must not throw. */
export interface OutlierListener<K> {
  onEject(host: K, reason: EjectionReason, ejectionMs: number, now: number): void;
  onUneject(host: K, now: number): void;
}

export interface ConsecutiveErrorsDetectorOptions<K> {
  /** Monotonic milliseconds, same time base as the `now` passed to `tick`. Read only on ejection. */
  readonly clock: () => number;
  /** [0, 1) source for the enforcing percentages. */
  readonly random?: () => number;
  readonly listener?: OutlierListener<K> | null;
  /** Envoy `always_eject_one_host` (not in the config model yet); default false. */
  readonly alwaysEjectOneHost?: boolean;
}

/** Envoy `outlier_detection.*` counters for this cluster. */
export class OutlierStats {
  ejectionsDetectedConsecutive5xx = 0;
  ejectionsDetectedConsecutiveGatewayFailure = 0;
  ejectionsEnforcedConsecutive5xx = 0;
  ejectionsEnforcedConsecutiveGatewayFailure = 0;
  ejectionsEnforcedTotal = 0;
  ejectionsOverflow = 0;
}

class HostState {
  consecutive5xx = 0;
  consecutiveGateway = 0;
  ejected = false;
  ejectedAt = 0;
  /** Envoy's eject-time backoff multiplier. */
  multiplier = 0;
  numEjections = 0;
  lastUnejectedAt: number | null = null;
}

export class ConsecutiveErrorsDetector<K> {
  readonly stats = new OutlierStats();
  private readonly hosts = new Map<K, HostState>();
  private ejected = 0;
  private readonly threshold5xx: number;
  private readonly thresholdGateway: number;
  private readonly enforcing5xx: number;
  private readonly enforcingGateway: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly intervalMs: number;
  private readonly maxPercent: number;
  private readonly alwaysEjectOne: boolean;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly listener: OutlierListener<K> | null;

  constructor(config: OutlierDetectionModel, options: ConsecutiveErrorsDetectorOptions<K>) {
    // 0 never equals a counter that was just incremented: the detector is off.
    this.threshold5xx = config.consecutive5xx ?? 0;
    this.thresholdGateway = config.consecutiveGatewayFailure ?? 0;
    this.enforcing5xx = config.enforcingConsecutive5xx;
    this.enforcingGateway = config.enforcingConsecutiveGatewayFailure;
    this.baseMs = config.baseEjectionTimeMs;
    // Envoy rejects max < base; never let the cap shorten the base time.
    this.maxMs = Math.max(config.maxEjectionTimeMs, config.baseEjectionTimeMs);
    this.intervalMs = config.intervalMs;
    this.maxPercent = Math.min(100, config.maxEjectionPercent);
    this.alwaysEjectOne = options.alwaysEjectOneHost ?? false;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.listener = options.listener ?? null;
  }

  get ejectedCount(): number {
    return this.ejected;
  }

  get hostCount(): number {
    return this.hosts.size;
  }

  addHost(host: K): void {
    if (!this.hosts.has(host)) this.hosts.set(host, new HostState());
  }

  /** Forgets the host (no uneject event, as in Envoy); its ejection no longer counts. */
  removeHost(host: K): void {
    const state = this.hosts.get(host);
    if (state === undefined) return;
    if (state.ejected) this.ejected--;
    this.hosts.delete(host);
  }

  /** Makes the tracked set equal to `hosts`, keeping the state of hosts that stay. */
  setHosts(hosts: Iterable<K>): void {
    const keep = new Set(hosts);
    for (const host of [...this.hosts.keys()]) if (!keep.has(host)) this.removeHost(host);
    for (const host of keep) this.addHost(host);
  }

  isEjected(host: K): boolean {
    return this.hosts.get(host)?.ejected === true;
  }

  /** Current multiplier of base_ejection_time (0 for a host never ejected or fully decayed). */
  ejectionMultiplier(host: K): number {
    return this.hosts.get(host)?.multiplier ?? 0;
  }

  numEjections(host: K): number {
    return this.hosts.get(host)?.numEjections ?? 0;
  }

  /** Per upstream attempt, on the hot path: no allocation. Unknown hosts are ignored. */
  onResult(host: K, result: OutlierResult): void {
    const state = this.hosts.get(host);
    if (state === undefined) return;
    if (result === 'success') {
      state.consecutive5xx = 0;
      state.consecutiveGateway = 0;
      return;
    }
    if (result === '5xx') {
      state.consecutiveGateway = 0;
    } else if (++state.consecutiveGateway === this.thresholdGateway) {
      this.onConsecutive(host, state, 'consecutive_gateway_failure');
    }
    if (++state.consecutive5xx === this.threshold5xx) this.onConsecutive(host, state, 'consecutive_5xx');
  }

  /** Run every `intervalMs`: returns hosts whose ejection time has passed, decays multipliers. */
  tick(now: number): void {
    for (const [host, state] of this.hosts) {
      if (state.ejected && now - state.ejectedAt >= this.ejectionMs(state)) this.uneject(host, state, now);
    }
    for (const state of this.hosts.values()) {
      if (state.ejected || state.lastUnejectedAt === null || state.multiplier === 0) continue;
      if (now - state.lastUnejectedAt >= this.intervalMs) state.multiplier--;
    }
  }

  private onConsecutive(host: K, state: HostState, reason: EjectionReason): void {
    if (state.ejected) return;
    const gateway = reason === 'consecutive_gateway_failure';
    if (gateway) this.stats.ejectionsDetectedConsecutiveGatewayFailure++;
    else this.stats.ejectionsDetectedConsecutive5xx++;
    this.tryEject(host, state, reason, gateway);
    if (gateway) state.consecutiveGateway = 0;
    else state.consecutive5xx = 0;
  }

  private tryEject(host: K, state: HostState, reason: EjectionReason, gateway: boolean): void {
    const allowed =
      (100 * (this.ejected + 1)) / this.hosts.size <= this.maxPercent || (this.alwaysEjectOne && this.ejected === 0);
    if (!allowed) {
      this.stats.ejectionsOverflow++;
      return;
    }
    if (!this.enforced(gateway ? this.enforcingGateway : this.enforcing5xx)) return;
    if (gateway) this.stats.ejectionsEnforcedConsecutiveGatewayFailure++;
    else this.stats.ejectionsEnforcedConsecutive5xx++;
    this.stats.ejectionsEnforcedTotal++;
    const now = this.clock();
    state.ejected = true;
    state.ejectedAt = now;
    state.numEjections++;
    if (state.multiplier * this.baseMs < this.maxMs + this.baseMs) state.multiplier++;
    this.ejected++;
    this.listener?.onEject(host, reason, this.ejectionMs(state), now);
  }

  private uneject(host: K, state: HostState, now: number): void {
    state.ejected = false;
    state.lastUnejectedAt = now;
    state.consecutive5xx = 0;
    state.consecutiveGateway = 0;
    this.ejected--;
    this.listener?.onUneject(host, now);
  }

  private ejectionMs(state: HostState): number {
    return Math.min(this.baseMs * state.multiplier, this.maxMs);
  }

  private enforced(percent: number): boolean {
    if (percent >= 100) return true;
    return percent > 0 && this.random() * 100 < percent;
  }
}
