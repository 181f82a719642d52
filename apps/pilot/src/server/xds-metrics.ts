import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TYPE_SHORT_NAME, isTypeUrl } from '@weft/xds';

export type XdsProtocol = 'delta' | 'sotw';

/** 1 ms … 10 s: a push converges in milliseconds on a quiet mesh, seconds under a storm. */
export const CONVERGENCE_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `type` label: lds, rds, vhds, cds, eds, or `other` for a type URL Weft does not serve. */
export function typeLabel(typeUrl: string): string {
  return isTypeUrl(typeUrl) ? TYPE_SHORT_NAME[typeUrl] : 'other';
}

/** Pilot's xDS server metrics (`weft_pilot_*`), registered once in the given registry. */
export class XdsMetrics {
  readonly connectedProxies: Gauge<'protocol'>;
  readonly pushes: Counter<'type'>;
  readonly nacks: Counter<'type'>;
  readonly sentBytes: Counter<'type'>;
  readonly sentResources: Counter<'type'>;
  readonly convergence: Histogram<'type'>;
  readonly debouncedChanges: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.connectedProxies = new Gauge({
      name: 'weft_pilot_xds_connected_proxies',
      help: 'xDS streams currently open on this replica, by protocol (delta, sotw)',
      labelNames: ['protocol'],
      registers,
    });
    this.pushes = new Counter({
      name: 'weft_pilot_xds_pushes_total',
      help: 'xDS responses sent (to a push or to a subscription request), by type',
      labelNames: ['type'],
      registers,
    });
    this.nacks = new Counter({ name: 'weft_pilot_xds_nacks_total', help: 'xDS responses rejected by clients, by type', labelNames: ['type'], registers });
    this.sentBytes = new Counter({
      name: 'weft_pilot_xds_sent_bytes_total',
      help: 'Encoded resource bytes sent in xDS responses, by type',
      labelNames: ['type'],
      registers,
    });
    this.sentResources = new Counter({
      name: 'weft_pilot_xds_sent_resources_total',
      help: 'Resources sent in xDS responses (delta removals not counted), by type',
      labelNames: ['type'],
      registers,
    });
    this.convergence = new Histogram({
      name: 'weft_pilot_push_convergence_seconds',
      help: 'From pilot first seeing a mesh change to the client ACKing the response that carried it, by type',
      labelNames: ['type'],
      buckets: [...CONVERGENCE_BUCKETS],
      registers,
    });
    this.debouncedChanges = new Counter({
      name: 'weft_pilot_xds_debounced_changes_total',
      help: 'Mesh changes received by the push debouncer (merged into fewer pushes)',
      registers,
    });
    for (const protocol of ['delta', 'sotw'] as const) this.connectedProxies.set({ protocol }, 0);
  }

  connected(protocol: XdsProtocol, delta: 1 | -1): void {
    this.connectedProxies.inc({ protocol }, delta);
  }

  responseSent(typeUrl: string, resources: number, bytes: number): void {
    const type = typeLabel(typeUrl);
    this.pushes.inc({ type });
    if (resources > 0) this.sentResources.inc({ type }, resources);
    if (bytes > 0) this.sentBytes.inc({ type }, bytes);
  }

  nacked(typeUrl: string): void {
    this.nacks.inc({ type: typeLabel(typeUrl) });
  }

  converged(typeUrl: string, seconds: number): void {
    this.convergence.observe({ type: typeLabel(typeUrl) }, Math.max(0, seconds));
  }

  debounced(changes: number): void {
    this.debouncedChanges.inc(changes);
  }
}
