/**
 * Values indexed by Istio host: exact hosts in a map, `*.suffix` and `*` patterns in a list, most
 * specific (longest) first. The first value registered for a host keeps it (callers add in a stable
 * order); later ones are reported as conflicts.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards: { readonly pattern: string; readonly value: T }[] = [];
  private readonly conflicts: { readonly host: string; readonly kept: T; readonly dropped: T }[] = [];

  add(host: string, value: T): void {
    const existing = host.startsWith('*') ? this.wildcards.find((w) => w.pattern === host)?.value : this.exact.get(host);
    if (existing !== undefined) {
      if (existing !== value) this.conflicts.push({ host, kept: existing, dropped: value });
      return;
    }
    if (!host.startsWith('*')) {
      this.exact.set(host, value);
      return;
    }
    this.wildcards.push({ pattern: host, value });
    this.wildcards.sort((a, b) => b.pattern.length - a.pattern.length);
  }

  /** The value for `host`: exact, else the most specific matching wildcard, else null. */
  get(host: string): T | null {
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    for (const w of this.wildcards) if (w.pattern === '*' || host.endsWith(w.pattern.slice(1))) return w.value;
    return null;
  }

  /** Hosts registered more than once: which value kept the host and which was dropped. */
  conflicting(): readonly { readonly host: string; readonly kept: T; readonly dropped: T }[] {
    return this.conflicts;
  }
}
