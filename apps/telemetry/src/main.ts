import { runServiceMain } from '@weft/shared';
import { startTelemetry } from './app/telemetry.app';
import { readTelemetryConfig, telemetryEnvHelp } from './config/telemetry.config';

const HELP = `weft-telemetry — Weft's telemetry service (one replica; run as many as you like)

Usage: weft-telemetry [--help]

Consumes proxies' pre-aggregated reports, spans and access logs from NATS (queue group
weft-telemetry: each message reaches one replica), keeps 1m/5m/1h windows, cumulative totals, traces
and recent logs in Redis, and serves them over HTTP: the operator dashboard at /, GET /metrics
(Istio standard metrics), /api/v1/stat|stat/series|edges|topology|logs|ingest, the live tap
(/api/v1/tap, NDJSON), the mesh's proxies and certificates relayed from pilot and the CA
(/api/v1/mesh/proxies|certificates), and the Zipkin v2 API (/api/v2/spans, services, traces,
trace/{id}).

Environment:
${telemetryEnvHelp()}
  WEFT_LOG_LEVEL                     pino log level (default info)
`;

void runServiceMain({
  name: 'weft-telemetry',
  what: 'telemetry',
  help: HELP,
  readConfig: () => readTelemetryConfig(),
  start: (config, log) => startTelemetry(config, log),
  onReady: (running, config, log) => log.info({ replica: config.replicaId, httpPort: running.httpPort, host: config.host }, 'telemetry ready'),
});
