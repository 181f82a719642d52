/**
 * Readiness of a replica: every component that must be up before traffic is served registers a
 * check; GET /readyz answers 200 only when all pass.
 */
export class Readiness {
  private readonly checks = new Map<string, () => boolean>();

  register(name: string, check: () => boolean): void {
    this.checks.set(name, check);
  }

  status(): { ready: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = {};
    let ready = true;
    for (const [name, check] of this.checks) {
      const ok = check();
      checks[name] = ok;
      ready &&= ok;
    }
    return { ready, checks };
  }
}
