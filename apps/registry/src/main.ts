import { runServiceMain } from '@weft/shared';
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

void runServiceMain({
  name: 'weft-registry',
  what: 'registry',
  help: HELP,
  readConfig: () => readRegistryConfig(),
  start: (config, log) => startRegistry(config, log),
});
