import type { Logger } from '@weft/shared';
import type { DnsAddress, DnsDeps } from './dns-lookup';

/** What a DnsTarget needs from its cluster's DnsDiscovery (settings are read at each use). */
export interface DnsTargetOwner {
  readonly cluster: string;
  readonly deps: DnsDeps;
  readonly log: Logger;
  familyArg(): 0 | 4 | 6;
  select(answer: readonly DnsAddress[]): string[];
  /** Milliseconds to the next lookup after `failures` consecutive failures (0: after an answer). */
  refreshDelay(failures: number): number;
  addressesChanged(): void;
  /** Every finished lookup, by outcome (weft_proxy_dns_lookups_total). */
  counted(outcome: DnsOutcome): void;
}

export type DnsOutcome = 'resolved' | 'empty' | 'failed';

/** The outcome of the last lookup, logged when it changes (not at every refresh). */
type State = 'none' | 'resolved' | 'empty' | 'failed';

/**
 * A lookup unanswered after this long counts as failed (Envoy's c-ares resolver gives a query 5 s):
 * the cluster warms with what it has and the failure back-off starts, instead of waiting forever on
 * a resolver that does not answer.
 */
export const DNS_LOOKUP_TIMEOUT_MS = 5000;

/**
 * One hostname of a DNS cluster: at most one lookup in flight, then the next one after the refresh
 * rate (or the failure back-off). `addresses` is the last answer; a failed lookup keeps it. A lookup
 * that times out is not abandoned to a second one: getaddrinfo holds one of libuv's four thread-pool
 * threads until it returns, so the next refresh waits for the answer of the one still running.
 */
export class DnsTarget {
  addresses: readonly string[] = [];
  /** The first lookup has ended (answered or failed). */
  attempted = false;
  private failures = 0;
  private state: State = 'none';
  private timer: unknown = null;
  /** A lookup is running in the resolver (possibly one whose answer nobody waits for any more). */
  private outstanding = false;
  /** An answer is awaited (a lookup started or joined, not timed out yet). */
  private waiting = false;
  private deadline: unknown = null;
  /** resolveNow() was asked while a lookup was in flight: look up again as soon as it ends. */
  private again = false;
  private stopped = false;

  constructor(
    readonly hostname: string,
    private readonly owner: DnsTargetOwner,
  ) {}

  /** Looks the name up now (or right after the lookup in flight). */
  resolveNow(): void {
    if (this.stopped) return;
    if (this.waiting) {
      this.again = true;
      return;
    }
    this.clearTimer();
    this.waiting = true;
    this.deadline = this.owner.deps.timers.setTimeout(() => this.timedOut(), DNS_LOOKUP_TIMEOUT_MS);
    // The lookup that timed out before is still running: its answer is this refresh's.
    if (this.outstanding) return;
    this.outstanding = true;
    this.owner.deps.lookup(this.hostname, this.owner.familyArg()).then(
      (answer) => this.settled(answer, null),
      (err: unknown) => this.settled(null, err instanceof Error ? err : new Error(String(err))),
    );
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.clearDeadline();
  }

  private settled(answer: readonly DnsAddress[] | null, err: Error | null): void {
    this.outstanding = false;
    // The late answer of a lookup that timed out, with no refresh waiting for it yet: dropped.
    if (this.waiting) this.done(answer, err);
  }

  private timedOut(): void {
    this.deadline = null;
    if (!this.waiting) return;
    const err = Object.assign(new Error(`dns lookup of ${this.hostname} timed out after ${DNS_LOOKUP_TIMEOUT_MS} ms`), { code: 'ETIMEOUT' });
    this.done(null, err);
  }

  private done(answer: readonly DnsAddress[] | null, err: Error | null): void {
    this.waiting = false;
    this.clearDeadline();
    if (this.stopped) return;
    this.attempted = true;
    if (answer === null) this.failed(err ?? new Error('lookup failed'));
    else this.answered(this.owner.select(answer));
    if (this.again) {
      this.again = false;
      this.resolveNow();
      return;
    }
    this.timer = this.owner.deps.timers.setTimeout(() => this.resolveNow(), this.owner.refreshDelay(this.failures));
  }

  private answered(addresses: string[]): void {
    const recovered = this.state === 'failed';
    this.failures = 0;
    const changed = addresses.length !== this.addresses.length || addresses.some((a, i) => a !== this.addresses[i]);
    this.addresses = addresses;
    const state: State = addresses.length === 0 ? 'empty' : 'resolved';
    this.owner.counted(state);
    const fields = { cluster: this.owner.cluster, hostname: this.hostname, addresses };
    if (state === 'empty' && this.state !== 'empty') this.owner.log.warn(fields, 'dns name has no address');
    else if (state === 'resolved' && (changed || recovered)) this.owner.log.info(fields, recovered ? 'dns resolution recovered' : 'dns addresses changed');
    this.state = state;
    if (changed) this.owner.addressesChanged();
  }

  private failed(err: Error): void {
    this.failures++;
    this.owner.counted('failed');
    if (this.state !== 'failed') {
      const code = (err as NodeJS.ErrnoException).code ?? null;
      const fields = { cluster: this.owner.cluster, hostname: this.hostname, code, err: err.message, keeping: this.addresses };
      this.owner.log.warn(fields, 'dns resolution failed');
    }
    this.state = 'failed';
  }

  private clearDeadline(): void {
    if (this.deadline === null) return;
    this.owner.deps.timers.clearTimeout(this.deadline);
    this.deadline = null;
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    this.owner.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
