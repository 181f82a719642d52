import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { isWeftError, type Logger } from '@weft/shared';
import type { Service } from '@weft/api';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryService } from '../registry/registry.service';
import { RegistryMetrics } from '../registry/registry.metrics';
import { LOGGER } from '../app/tokens';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { Membership } from './membership';
import { runCheck, type ProbeResult } from './probers';
import { probeTargets, type ProbeTarget } from './probe-target';
import { RefreshLoop } from './refresh-loop';
import { Rendezvous } from './rendezvous';
import { TargetProber, type TargetProberDeps } from './target-prober';
import type { ProbeVerdict } from './threshold-counter';

/** Probes in flight at once per replica; the rest wait their turn (FIFO). */
export const MAX_PROBES_IN_FLIGHT = 64;
/** Upper bound of the target-list refresh period (it is memberTtlMs/2 when that is shorter). */
const MAX_REFRESH_MS = 1000;

/**
 * Central health checking (master mode, as Meituan's OCTO): registry replicas probe the instances of
 * every service that has a `healthCheck`, each instance by exactly one live replica — the owner of
 * `ns/svc/id` by rendezvous hashing over the membership. Every replica computes the same owners from
 * the same member list, so no coordination is needed beyond the membership itself. When it changes,
 * ownership is re-applied at once from the last target list (targets no longer owned stop, their
 * in-flight probes aborted; newly owned ones start at a random phase within their interval).
 *
 * The target list is re-read every min(1 s, memberTtlMs/2). Verdicts go through
 * RegistryService.recordProbe (atomic in Redis, guarded by registeredAt, one event per transition),
 * and only when a threshold is crossed and the stored state differs.
 */
@Injectable()
export class HealthChecker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly userAgent: string;
  private readonly limiter = new ConcurrencyLimiter(MAX_PROBES_IN_FLIGHT);
  private readonly loop: RefreshLoop;
  private readonly probers = new Map<string, TargetProber>();
  private readonly deps: TargetProberDeps;
  private all: readonly ProbeTarget[] = [];
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(Membership) private readonly membership: Membership,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    @Inject(RegistryMetrics) private readonly metrics: RegistryMetrics,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'health-checker', replica: config.replicaId });
    this.userAgent = `weft-registry/${config.replicaId}`;
    const periodMs = Math.max(1, Math.min(MAX_REFRESH_MS, Math.floor(config.memberTtlMs / 2)));
    this.loop = new RefreshLoop(() => this.refresh(), periodMs, (err) => this.log.error({ err }, 'refresh loop error'));
    this.deps = {
      run: (t, signal) => this.probe(t, signal),
      record: (t, verdict, reason) => this.record(t, verdict, reason),
      random: Math.random,
      onError: (err, t) => this.log.error({ err, target: t.key }, 'probe cycle failed'),
    };
  }

  /** Keys (`ns/svc/id`) of the instances this replica probes now, sorted. */
  ownedTargets(): string[] {
    return [...this.probers.keys()].sort();
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.membership.onChange(() => {
      this.apply();
      this.loop.kick();
    });
    void this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.loop.stop();
    await Promise.all([...this.probers.values()].map((p) => p.stop()));
    this.probers.clear();
    this.metrics.probeTargets.set(0);
  }

  private async refresh(): Promise<void> {
    try {
      this.all = await this.listTargets();
    } catch (err) {
      this.log.warn({ err }, 'health-check targets not refreshed; keeping the last list');
    }
    this.apply();
  }

  private async listTargets(): Promise<ProbeTarget[]> {
    const services = (await this.registry.listServices(null)).filter((s) => s.healthCheck);
    const lists = await Promise.all(services.map((s) => this.targetsOf(s)));
    return lists.flat();
  }

  private async targetsOf(s: Service): Promise<ProbeTarget[]> {
    try {
      const req = { namespace: s.namespace, service: s.name, selector: '', healthyOnly: false };
      return probeTargets(s, (await this.registry.listInstances(req)).instances);
    } catch (err) {
      if (isWeftError(err) && err.kind === 'not-found') return []; // deleted since it was listed
      throw err;
    }
  }

  /** Keeps exactly the targets this replica owns under the current membership (no I/O). */
  private apply(): void {
    if (this.stopped) return;
    const members = this.membership.members();
    const self = this.membership.self;
    const ring = new Rendezvous(members);
    const owned = members.includes(self) ? this.all.filter((t) => ring.owner(t.key) === self) : [];
    this.reconcile(owned, members.length);
  }

  private reconcile(owned: readonly ProbeTarget[], members: number): void {
    const wanted = new Map(owned.map((t) => [t.key, t]));
    let removed = 0;
    for (const [key, prober] of this.probers) {
      const t = wanted.get(key);
      if (t !== undefined && t.fingerprint === prober.fingerprint) {
        prober.update(t);
        continue;
      }
      void prober.stop();
      this.probers.delete(key);
      if (t === undefined) removed++;
    }
    let added = 0;
    for (const t of owned) {
      if (this.probers.has(t.key)) continue;
      const prober = new TargetProber(t, this.deps);
      this.probers.set(t.key, prober);
      prober.start();
      added++;
    }
    this.metrics.probeTargets.set(this.probers.size);
    if (added + removed > 0) this.log.info({ targets: this.probers.size, added, removed, members }, 'health-check share changed');
  }

  private async probe(t: ProbeTarget, signal: AbortSignal): Promise<ProbeResult | null> {
    try {
      return await this.limiter.run(async () => {
        if (signal.aborted) return null;
        const result = await runCheck(t, this.userAgent, signal);
        if (signal.aborted) return null; // stopped meanwhile: not a result
        this.metrics.probes.inc({ result: result.ok ? 'pass' : 'fail' });
        return result;
      });
    } catch (err) {
      this.log.error({ err, target: t.key }, 'probe error');
      return null;
    }
  }

  private async record(t: ProbeTarget, verdict: ProbeVerdict, reason: string): Promise<boolean> {
    try {
      await this.registry.recordProbe(t.instance, verdict);
      this.log.debug({ target: t.key, verdict, reason }, 'probe verdict');
      return true;
    } catch (err) {
      this.log.warn({ err, target: t.key, verdict }, 'probe verdict not stored; retried after the next probe');
      return false;
    }
  }
}
