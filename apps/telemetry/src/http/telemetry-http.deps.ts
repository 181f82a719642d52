import type { Logger } from '@weft/shared';
import type { LogRepository } from '../logs/log.repository';
import type { MetricsEndpoint } from '../metrics/metrics-endpoint';
import type { TraceRepository } from '../traces/trace.repository';
import type { WindowRepository } from '../windows/window.repository';
import type { IngestMetrics } from '../ingest/ingest.metrics';
import type { TapHub } from '../tap/tap-hub.service';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

/** Everything telemetry's HTTP edge needs, built by the composition root. */
export interface TelemetryHttpDeps {
  readonly windows: WindowRepository;
  readonly metrics: MetricsEndpoint;
  readonly ingestMetrics: IngestMetrics;
  readonly traces: TraceRepository;
  readonly logs: LogRepository;
  readonly logger: Logger;
  readonly replica: string;
  /** WEFT_TELEMETRY_TOKEN: bearer token every /api/ call needs; undefined = open. */
  readonly token?: string;
  readonly readiness: () => ReadinessReport;
  readonly now?: () => number;
  /** The live-tap hub (`GET /api/v1/tap`); undefined: tap answers 503. */
  readonly tap?: TapHub;
}

export const TELEMETRY_HTTP_DEPS = Symbol('TELEMETRY_HTTP_DEPS');
