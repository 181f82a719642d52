import { createLogger, isWeftError } from '@weft/shared';
import { startTelemetry } from './app/telemetry.app';
import { readTelemetryConfig, telemetryEnvHelp } from './config/telemetry.config';

const HELP = `weft-telemetry — Weft's telemetry service (one replica; run as many as you like)

Usage: weft-telemetry [--help]

Consumes proxies' pre-aggregated reports, spans and access logs from NATS (queue group
weft-telemetry: each message reaches one replica), keeps 1m/5m/1h windows, cumulative totals, traces
and recent logs in Redis, and serves them over HTTP: GET /metrics (Istio standard metrics),
/api/v1/stat|edges|topology|logs|ingest, and the Zipkin v2 API (/api/v2/spans, services, traces,
trace/{id}).

Environment:
${telemetryEnvHelp()}
  WEFT_LOG_LEVEL                     pino log level (default info)
`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger('weft-telemetry');
  let config;
  try {
    config = readTelemetryConfig();
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'bad configuration');
    process.exitCode = 2;
    return;
  }
  try {
    const running = await startTelemetry(config, log);
    log.info({ replica: config.replicaId, httpPort: running.httpPort, host: config.host }, 'telemetry ready');
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'telemetry failed to start');
    process.exit(1);
  }
}

void main(process.argv.slice(2));
