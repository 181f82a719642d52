/** What a watch does with one change event of a service. */
export type GateDecision = 'deliver' | 'drop' | 'resync';

/**
 * Pure rule of a watch: `last` is the revision the watcher holds for the service (0: none).
 * Revisions are consecutive per service, so an event at last+1 is the next change, one at or below
 * `last` a duplicate or stale, and one beyond last+1 proves changes were missed.
 */
export function decideRevision(last: number, revision: number): GateDecision {
  if (revision <= last) return 'drop';
  if (revision === last + 1) return 'deliver';
  return 'resync';
}

/** Per-service revisions a watcher holds: the state behind decideRevision. */
export class RevisionGate {
  private readonly last = new Map<string, number>();

  /** True once the watcher holds some state for the service (a snapshot or a delivered event). */
  knows(service: string): boolean {
    return this.last.has(service);
  }

  /** Every service the watcher holds state for. */
  services(): string[] {
    return [...this.last.keys()];
  }

  lastOf(service: string): number {
    return this.last.get(service) ?? 0;
  }

  decide(service: string, revision: number): GateDecision {
    return decideRevision(this.lastOf(service), revision);
  }

  /** Records what the watcher now holds: a delivered event's revision or a snapshot's. */
  hold(service: string, revision: number): void {
    this.last.set(service, revision);
  }
}
