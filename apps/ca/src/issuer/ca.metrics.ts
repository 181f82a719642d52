import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Internal metrics of a CA replica (`weft_ca_*`), served on GET /metrics. */
export class CaMetrics {
  readonly registry = new Registry();
  readonly issued = new Counter({
    name: 'weft_ca_certificates_issued_total',
    help: 'CreateCertificate calls answered by this replica, by API, outcome (issued or the error code) and authentication',
    labelNames: ['api', 'outcome', 'via'],
    registers: [this.registry],
  });
  readonly signing = new Histogram({
    name: 'weft_ca_signing_duration_seconds',
    help: 'Time to verify a CSR and sign its certificate (authentication included), seconds',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'weft_ca_tokens_created_total',
    help: 'Bootstrap tokens created by this replica',
    registers: [this.registry],
  });
  readonly auditDropped = new Counter({
    name: 'weft_ca_audit_dropped_total',
    help: 'Issuance audit records dropped (Redis unavailable and the buffer full)',
    registers: [this.registry],
  });
  readonly caExpiry = new Gauge({
    name: 'weft_ca_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the signing intermediate and of the earliest-expiring root, Unix seconds (alert well before)',
    labelNames: ['cert'],
    registers: [this.registry],
  });
}
