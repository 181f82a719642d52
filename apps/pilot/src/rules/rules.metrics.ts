import { Counter, Gauge, type Registry } from 'prom-client';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Gauge;
  return new Gauge({ name, help, registers: [registry] });
}

/** Rule store and watcher metrics (`weft_pilot_rules_*`), registered in the replica's registry. */
export class RulesMetrics {
  /** Documents written, by outcome: created, configured, unchanged, deleted. */
  readonly writes: Counter<'action'>;
  /** Batches refused because a document was invalid (nothing stored). */
  readonly rejected: Counter;
  /** Reloads of the rules from Redis by this replica, by outcome (ok, error). */
  readonly reloads: Counter<'outcome'>;
  /** Stored documents that no longer validate on reload (kept at their last good version or skipped). */
  readonly invalidStored: Counter;
  /** The rules revision this replica has loaded. */
  readonly revision: Gauge;
  /** Rule documents this replica has loaded. */
  readonly loaded: Gauge;

  constructor(registry: Registry) {
    this.writes = counter(registry, 'weft_pilot_rules_writes_total', 'Rule documents written, by action', ['action']);
    this.rejected = counter(registry, 'weft_pilot_rules_rejected_total', 'Rule batches rejected as invalid (nothing applied)');
    this.reloads = counter(registry, 'weft_pilot_rules_reloads_total', 'Reloads of all rules from Redis, by outcome', ['outcome']);
    this.invalidStored = counter(registry, 'weft_pilot_rules_invalid_stored_total', 'Stored rules that failed validation on reload');
    this.revision = gauge(registry, 'weft_pilot_rules_revision', 'Rules revision loaded by this replica');
    this.loaded = gauge(registry, 'weft_pilot_rules_loaded', 'Rule documents loaded by this replica');
  }
}
