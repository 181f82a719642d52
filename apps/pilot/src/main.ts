import { createLogger, isWeftError } from '@weft/shared';
import { startPilot } from './app/pilot.app';
import { pilotEnvHelp, readPilotConfig } from './config/pilot.config';

const HELP = `weft-pilot — Weft's config distributor (one replica; run as many as you like)

Usage: weft-pilot [--help]

Turns the registry's services and the Istio rules operators apply (weftctl apply -f) into Envoy v3
xDS resources and pushes each connected proxy only what it subscribed to and only what changed:
gRPC ADS (Delta and State of the World) on the xDS port; rules API, proxy status and /metrics on
the HTTP port. Rules live in Redis; every replica hears every change over NATS.

Environment:
${pilotEnvHelp()}
  WEFT_LOG_LEVEL                     pino log level (default info)
`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger('weft-pilot');
  let config;
  try {
    config = readPilotConfig();
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'bad configuration');
    process.exitCode = 2;
    return;
  }
  try {
    const running = await startPilot(config, log);
    log.info({ replica: config.replicaId, xdsPort: running.xdsPort, httpPort: running.httpPort, services: running.model.stats().services }, 'pilot ready');
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'pilot failed to start');
    process.exit(1);
  }
}

void main(process.argv.slice(2));
