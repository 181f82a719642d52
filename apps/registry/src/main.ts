import { createLogger, isWeftError } from '@weft/shared';
import { readRegistryConfig, registryEnvHelp } from './config/registry.config';
import { startRegistry } from './app/bootstrap';

const HELP = `weft-registry — the Weft service registry (one replica; run as many as you like)

Usage: weft-registry [--help]

Serves REST (/v1, OpenAPI at /v1/openapi.json), gRPC (weft.registry.v1.Registry) and NATS
request/reply (weft.registry.rpc.*); publishes changes on weft.registry.events.<ns>.<service>.
State lives in Redis; replicas coordinate through Redis and NATS.

Environment:
${registryEnvHelp()}
  WEFT_LOG_LEVEL                     pino log level (default info)
`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger('weft-registry');
  let config;
  try {
    config = readRegistryConfig();
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'bad configuration');
    process.exitCode = 2;
    return;
  }
  try {
    const running = await startRegistry(config, log);
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    log.fatal({ err }, 'registry failed to start');
    process.exit(1);
  }
}

void main(process.argv.slice(2));
