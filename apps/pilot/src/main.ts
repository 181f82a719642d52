import { runServiceMain } from '@weft/shared';
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

void runServiceMain({
  name: 'weft-pilot',
  what: 'pilot',
  help: HELP,
  readConfig: () => readPilotConfig(),
  start: (config, log) => startPilot(config, log),
  onReady: (running, config, log) =>
    log.info({ replica: config.replicaId, xdsPort: running.xdsPort, xdsTlsPort: running.xdsTlsPort, httpPort: running.httpPort, services: running.model.stats().services }, 'pilot ready'),
});
