import { Counter, Gauge, Registry } from 'prom-client';

/** Internal metrics of a registry replica (`weft_registry_*`), served on GET /metrics. */
export class RegistryMetrics {
  readonly registry = new Registry();
  readonly heartbeats = new Counter({
    name: 'weft_registry_heartbeats_total',
    help: 'Heartbeats accepted by this replica',
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'weft_registry_events_total',
    help: 'Change events published by this replica, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'weft_registry_requests_total',
    help: 'API calls served by this replica, by API, method and outcome',
    labelNames: ['api', 'method', 'outcome'],
    registers: [this.registry],
  });
  readonly probes = new Counter({
    name: 'weft_registry_probes_total',
    help: 'Central health-check probes run by this replica, by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly probeTargets = new Gauge({
    name: 'weft_registry_probe_targets',
    help: 'Instances this replica currently probes (its share of the health-check work)',
    registers: [this.registry],
  });
  readonly sweeperLeader = new Gauge({
    name: 'weft_registry_sweeper_leader',
    help: '1 when this replica holds the TTL sweeper lease',
    registers: [this.registry],
  });
  readonly members = new Gauge({
    name: 'weft_registry_members',
    help: 'Live registry replicas seen in the membership',
    registers: [this.registry],
  });
}
